"""Scenario loading, the control API, the command line, and the DNS index's fidelity."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from emulator.app import App
from emulator.dnsview import PublishedView
from emulator.scenario import ScenarioError, apply
from emulator.testing import ControlError, free_port, run_emulator
from emulator.zones import ZoneStore

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "emulator" / "scenarios" / "demo.yaml"


def _identities(state, account, region):
    acct = next(a for a in state["accounts"] if a["id"] == account)
    reg = next(r for r in acct["regions"] if r["region"] == region)
    return reg, {i["name"]: i for i in reg["identities"]}


def test_the_demo_scenario_loads_with_the_promised_states():
    with run_emulator(yaml.safe_load(DEMO.read_text())) as emu:
        state = emu.control("GET", "state")
        us, ids = _identities(state, "111111111111", "us-east-1")
        assert us["production"] is True
        assert ids["mydomain.example"]["verification_status"] == "SUCCESS"
        assert ids["mydomain.example"]["mail_from_status"] == "SUCCESS"
        assert ids["shop.example"]["dkim_status"] == "PENDING"
        assert ids["admin@mydomain.example"]["verification_status"] == "SUCCESS"
        assert ids["alerts@ops.example"]["verification_status"] == "FAILED"
        assert us["vdm"] == {"VdmEnabled": "ENABLED"}
        assert [
            (r["ResourceArn"].rsplit("/", 1)[1], r["Type"], r["Impact"])
            for r in us["recommendations"]
        ] == [
            ("shop.example", "DKIM", "HIGH"),
            ("mydomain.example", "BIMI", "LOW"),
            ("marketing", "IP_LISTING", "HIGH"),  # about no identity: on the regions page
        ]
        eu, ids = _identities(state, "111111111111", "eu-west-1")
        assert eu["production"] is True and ids["mydomain.example"]["dkim_status"] == "SUCCESS"
        ap, ids = _identities(state, "111111111111", "ap-southeast-2")
        assert ap["production"] is False
        assert ids["mydomain.example"]["verification_status"] == "PENDING"
        assert ids["new-hire@gmail.example"]["verification_status"] == "PENDING"
        staging, _ = _identities(state, "222222222222", "us-east-1")
        assert staging["production"] is False
        assert [m["to"] for m in emu.mail()] == [["new-hire@gmail.example"]]
        prod = emu.client("sesv2", region_name="ap-southeast-2", access_key="AKIAPROD000000000001")
        assert len(prod.list_email_identities()["EmailIdentities"]) == 2


def test_reset_goes_back_to_the_scenario_and_clears_mail_stats_and_clock(emu, ses):
    ses.create_email_identity(EmailIdentity="a@example.test")
    emu.advance(3600)
    emu.control("POST", "reset")
    assert ses.list_email_identities()["EmailIdentities"] == []
    assert emu.mail() == []
    assert emu.control("GET", "clock")["offset_seconds"] == 0
    assert emu.control("GET", "dns")["zones"][0]["origin"] == "example.test"
    emu.control("POST", "reset", {"empty": True})
    assert emu.control("GET", "dns")["zones"] == []


def test_a_scenario_can_be_loaded_at_run_time_from_a_file(emu, tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"accounts": [{"id": "333333333333", "access_keys": ["AKIA3"]}]}')
    emu.control("POST", "scenario", {"path": str(path)})
    assert [a["id"] for a in emu.control("GET", "state")["accounts"]] == ["333333333333"]


@pytest.mark.parametrize(
    "bad",
    [
        {"accounts": [{"regions": {}}]},
        {"accounts": [{"id": "1", "regions": {"us-east-1": {"down": "sometimes"}}}]},
        {
            "accounts": [
                {
                    "id": "1",
                    "regions": {
                        "us-east-1": {"identities": [{"name": "x.nozone", "dkim": "published"}]}
                    },
                }
            ]
        },
        {
            "accounts": [
                {"id": "1", "regions": {"us-east-1": {"identities": [{"name": "not valid"}]}}}
            ]
        },
    ],
)
def test_bad_scenarios_fail_with_a_clear_error(bad):
    with pytest.raises(ScenarioError):
        apply(App(), bad)


def test_control_errors_are_json_not_tracebacks(emu):
    for method, path, body in [
        ("GET", "nothing-here", None),
        ("POST", "identities/000000000000/us-east-1/none.test", {"dkim_status": "SUCCESS"}),
        ("POST", "review/000000000000/us-east-1", {"status": "MAYBE"}),
        (
            "POST",
            "identities/000000000000/us-east-1/x.example.test",
            {"create": True, "dkim_status": "GREAT"},
        ),
    ]:
        with pytest.raises(ControlError) as exc:
            emu.control(method, path, body)
        assert exc.value.status in (400, 404) and "error" in exc.value.body


def test_dns_control_adds_removes_and_faults_records(emu):
    emu.control("POST", "dns", {"add": [{"name": "a.example.test", "type": "TXT", "value": '"x"'}]})
    assert emu.store.published("a.example.test", "TXT") == ['"x"']
    emu.control("POST", "dns", {"faults": [{"name": "a.example.test", "fault": "servfail"}]})
    assert emu.store.fault_for("a.example.test") == "servfail"
    emu.control("POST", "dns", {"remove": [{"name": "a.example.test", "type": "TXT"}]})
    assert emu.store.published("a.example.test", "TXT") == []


def test_the_published_view_answers_like_zone_store_published():
    store = ZoneStore()
    view = PublishedView(store)
    store.add_zone("a.test", {"ns1": "127.0.0.2", "ns2": "127.0.0.3"})
    store.add_zone("sub.a.test", {"ns3": "127.0.0.4"}, delegated=False)
    probes = [
        ("x.a.test", "TXT"),
        ("y.a.test", "CNAME"),
        ("z.sub.a.test", "TXT"),
        ("q.b.test", "TXT"),
    ]

    def same() -> None:
        for name, rtype in probes:
            assert view.published(name, rtype) == store.published(name, rtype), (name, rtype)

    same()
    store.add_record("x.a.test", "TXT", '"1"')
    store.add_record("x.a.test", "TXT", '"only-ns2"', servers=["ns2"])
    store.add_record("y.a.test", "CNAME", "t.example")
    store.add_record("z.sub.a.test", "TXT", '"hidden"')
    same()
    store.remove_records("x.a.test", "TXT")
    same()
    store.add_record("x.a.test", "TXT", '"2"')
    same()
    store.add_zone("b.test", {"ns1": "127.0.0.2"})
    store.add_record("q.b.test", "TXT", '"q"')
    same()
    assert view.published("q.b.test", "TXT") == ['"q"']


def test_list_and_batch_reads_stay_fast_with_thousands_of_identities():
    names = [f"d{i:05d}.example.test" for i in range(3000)]
    scenario = {
        "zones": [{"origin": "example.test", "nameservers": {"ns1": "127.0.0.2"}}],
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {"identities": [{"name": n, "dkim": "published"} for n in names]}
                },
            }
        ],
    }
    with run_emulator(scenario) as emu:
        ses, ses1 = emu.client("sesv2"), emu.client("ses")
        start = time.monotonic()
        page = ses.list_email_identities(PageSize=1000)
        while page.get("NextToken"):
            page = ses.list_email_identities(PageSize=1000, NextToken=page["NextToken"])
        for i in range(0, 1000, 100):
            ses1.get_identity_dkim_attributes(Identities=names[i : i + 100])
        elapsed = time.monotonic() - start
        assert all(i["VerificationStatus"] == "SUCCESS" for i in page["EmailIdentities"])
        assert elapsed < 5, f"3 list pages + 10 batch reads over 9000 records took {elapsed:.1f}s"


def test_python_m_emulator_starts_and_prints_its_url(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--scenario", str(DEMO)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line == f"emulator listening on http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health") as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_python_m_emulator_refuses_a_bad_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: [{regions: {}}]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "emulator", "--port", str(free_port()), "--scenario", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "every account needs an id" in proc.stderr


def test_a_scenario_can_be_loaded_at_run_time_from_yaml_text(emu):
    emu.control("POST", "scenario", {"yaml": "accounts:\n  - id: '444444444444'\n"})
    assert [a["id"] for a in emu.control("GET", "state")["accounts"]] == ["444444444444"]


def test_run_emulator_serves_the_zones_over_dns_when_asked():
    import dns.resolver

    scenario = {
        "zones": [{"origin": "example.test", "nameservers": {"ns1.dns.example": "127.0.0.2"}}],
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {"identities": [{"name": "example.test", "dkim": "published"}]}
                },
            }
        ],
    }
    with run_emulator(scenario, dns_port=0) as emu:
        token = emu.client("sesv2").get_email_identity(EmailIdentity="example.test")[
            "DkimAttributes"
        ]["Tokens"][0]
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = ["127.0.0.2"], emu.dns_port
        answer = resolver.resolve(f"{token}._domainkey.example.test", "CNAME")
        assert answer[0].target.to_text() == f"{token}.dkim.amazonses.com."


def test_concurrent_clients_keep_the_state_consistent(emu):
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> int:
        ses = emu.client("sesv2", region_name=f"eu-west-{n % 3 + 1}")
        for i in range(20):
            ses.create_email_identity(EmailIdentity=f"w{n}-{i}@example.test")
            ses.list_email_identities(PageSize=5)
        return n

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sorted(pool.map(work, range(6))) == list(range(6))
    state = emu.control("GET", "state")
    counts = {r["region"]: r["identity_count"] for a in state["accounts"] for r in a["regions"]}
    assert counts == {"eu-west-1": 40, "eu-west-2": 40, "eu-west-3": 40}
    assert emu.control("GET", "stats")["total"] == 240


def test_a_pinned_scenario_status_ignores_the_dns():
    scenario = {
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {
                        "identities": [{"name": "nozone.test", "status": "SUCCESS", "pin": True}]
                    }
                },
            }
        ]
    }
    with run_emulator(scenario) as emu:
        got = emu.client("sesv2").get_email_identity(EmailIdentity="nozone.test")
        assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == (
            "SUCCESS",
            "SUCCESS",
        )


def test_run_emulator_takes_a_scenario_file_and_gives_a_subprocess_environment():
    with run_emulator(DEMO) as emu:
        env = emu.env(access_key="AKIAPROD000000000001")
        assert env["AWS_ENDPOINT_URL"] == emu.url
        code = (
            "import boto3; c = boto3.client('sesv2', region_name='eu-west-1');"
            "print(c.get_account()['ProductionAccessEnabled'])"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.stdout.strip() == "True", out.stderr


def test_seeded_verification_links_point_at_the_running_server():
    scenario = {
        "accounts": [
            {
                "id": "111111111111",
                "regions": {"us-east-1": {"identities": [{"name": "pending@example.com"}]}},
            }
        ]
    }
    with run_emulator(scenario) as emu:
        links = [m["link"] for m in emu.mail()]
        assert links and all(link.startswith(f"{emu.url}/_emulator/verify/") for link in links)
