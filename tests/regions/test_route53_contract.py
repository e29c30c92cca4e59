"""The Route 53 client against moto's route53 (the independent reference) and the emulator.

Both are reached as production reaches AWS: boto3 with AWS_ENDPOINT_URL. The same script
runs on each: find the zone (longest suffix, private zones ignored), read the record sets,
plan, apply one batch, follow the change, read back.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from identities.dns.publish_plan import Wanted, changes_for, names_to_read, plan
from identities.dns.publish_zone import DELEGATED, NOT_DELEGATED, choose_zone
from regions import route53
from regions.dns_types import CREATE, DELETE, INSYNC, RecordChange, RecordSet
from regions.models import AwsAccount
from regions.route53 import Route53Error, route53_for

pytestmark = pytest.mark.django_db
EMU_ACCOUNT, EMU_KEY = "111111111111", "AKIAROUTE53000000001"
OTHER_TOKENS = ('"tokUS"', '"tokSTAGING"')
WANTED = [
    Wanted("verification", "_amazonses.example.com", "TXT", "tokEU", ("eu-west-1",)),
    *(
        Wanted("dkim", f"d{i}._domainkey.example.com", "CNAME", f"d{i}.dkim.amazonses.com", ())
        for i in (1, 2, 3)
    ),
]


def _boto(url: str, key: str):
    return boto3.client(
        "route53",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _seed_moto(r53) -> None:
    for name, private in (
        ("example.com", False),
        ("sub.example.com", False),
        ("example.com", True),
    ):
        kw = {"Name": name, "CallerReference": f"{name}-{private}"}
        if private:
            kw |= {
                "VPC": {"VPCRegion": "us-east-1", "VPCId": "vpc-1"},
                "HostedZoneConfig": {"PrivateZone": True, "Comment": "internal"},
            }
        zone = r53.create_hosted_zone(**kw)["HostedZone"]
        if name == "example.com" and not private:
            r53.change_resource_record_sets(
                HostedZoneId=zone["Id"],
                ChangeBatch={
                    "Changes": [
                        {
                            "Action": "CREATE",
                            "ResourceRecordSet": {
                                "Name": "_amazonses.example.com",
                                "Type": "TXT",
                                "TTL": 600,
                                "ResourceRecords": [{"Value": v} for v in OTHER_TOKENS],
                            },
                        }
                    ]
                },
            )


EMU_SCENARIO = {
    "route53_insync_seconds": 0.3,
    "zones": [
        {
            "origin": "example.com",
            "nameservers": {"ns1.dns.example": "127.0.0.2"},
            "hosted_zone": {"account": EMU_ACCOUNT},
            "records": [
                {"name": "_amazonses.example.com", "type": "TXT", "value": v, "ttl": 600}
                for v in OTHER_TOKENS
            ],
        },
        {
            "origin": "sub.example.com",
            "nameservers": {"ns1.dns.example": "127.0.0.2"},
            "hosted_zone": {"account": EMU_ACCOUNT},
        },
    ],
    "hosted_zones": [{"origin": "example.com", "account": EMU_ACCOUNT, "private": True}],
    "accounts": [{"id": EMU_ACCOUNT, "access_keys": [EMU_KEY]}],
}


@pytest.fixture(params=["moto", "emulator"])
def r53(request, monkeypatch, tmp_path, settings) -> Iterator:
    """(boto3 route53 client on the backend, the sesops account pointed at it)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(route53, "RATE", 0)
    route53.clear_client_cache()
    account = AwsAccount.objects.create(label="prod", account_id=EMU_ACCOUNT)
    if request.param == "moto":
        url = request.getfixturevalue("_moto_server")
        reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
        key = "AKIAMOTO000000000001"
        _seed_moto(_boto(url, key))
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        yield _boto(url, key), account
    else:
        from emulator.testing import run_emulator

        with run_emulator(EMU_SCENARIO) as emu:
            monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", EMU_KEY)
            yield _boto(emu.url, EMU_KEY), account
    route53.clear_client_cache()


def _values(boto, zone_id: str, name: str, rtype: str) -> set[str]:
    sets = boto.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {
        r["Value"]
        for s in sets
        if s["Name"].rstrip(".") == name and s["Type"] == rtype
        for r in s.get("ResourceRecords", [])
    }


def test_it_finds_the_public_zone_by_longest_suffix_with_its_nameservers(r53) -> None:
    boto, account = r53
    client = route53_for(account)
    (zone,) = client.find_zones("example.com")
    assert (zone.name, zone.private, zone.account) == ("example.com", False, "prod")
    described = boto.get_hosted_zone(Id=zone.id)["DelegationSet"]["NameServers"]
    assert zone.nameservers == tuple(sorted(n.rstrip(".").lower() for n in described))
    deeper = client.find_zones("a.sub.example.com")
    assert [z.name for z in deeper] == ["sub.example.com", "example.com"]
    assert client.find_zones("unrelated.example") == []


def test_it_merges_multi_value_txt_and_creates_dkim_in_one_batch(r53) -> None:
    boto, account = r53
    client = route53_for(account)
    (zone,) = client.find_zones("example.com")
    present = client.record_sets(zone, names_to_read(WANTED, zone.name))
    assert RecordSet("_amazonses.example.com", "TXT", 600, OTHER_TOKENS) in present
    changes = changes_for(plan(WANTED, present, zone.name), present)
    receipt = client.apply(zone, changes, comment="sesops test")
    assert receipt.id and receipt.status in ("PENDING", INSYNC)
    deadline = time.monotonic() + 5
    while client.change_status(receipt.id).status != INSYNC:
        assert time.monotonic() < deadline, "the change never reached INSYNC"
        time.sleep(0.1)
    assert _values(boto, zone.id, "_amazonses.example.com", "TXT") == {*OTHER_TOKENS, '"tokEU"'}
    assert _values(boto, zone.id, "d2._domainkey.example.com", "CNAME") == {"d2.dkim.amazonses.com"}
    # Everything right now: the plan is empty, so re-applying changes nothing.
    after = client.record_sets(zone, names_to_read(WANTED, zone.name))
    assert plan(WANTED, after, zone.name) == []


def test_a_refused_batch_changes_nothing_and_is_permanent(r53) -> None:
    boto, account = r53
    client = route53_for(account)
    (zone,) = client.find_zones("example.com")
    new = RecordSet("new.example.com", "TXT", 300, ('"x"',))
    # Deleting a record set that is not there fails (moto does not refuse a CREATE of an
    # existing set made by another batch, so the refusal both agree on is this one).
    gone = RecordSet("gone.example.com", "TXT", 300, ('"y"',))
    with pytest.raises(Route53Error) as caught:
        client.apply(zone, [RecordChange(CREATE, new), RecordChange(DELETE, gone)])
    # AWS (and the emulator) answer InvalidChangeBatch; moto says InvalidInput. Either way:
    # permanent, and nothing of the batch was written.
    assert caught.value.code in ("InvalidChangeBatch", "InvalidInput")
    assert caught.value.permanent
    assert _values(boto, zone.id, "new.example.com", "TXT") == set()


def test_an_unknown_zone_is_a_permanent_error(r53) -> None:
    _, account = r53
    with pytest.raises(Route53Error) as caught:
        route53_for(account).describe("ZNOSUCHZONE0000")
    assert caught.value.code == "NoSuchHostedZone" and caught.value.permanent


def test_a_zone_not_served_by_the_delegated_nameservers_is_not_chosen(r53) -> None:
    _, account = r53
    zones = route53_for(account).find_zones("example.com")
    choice = choose_zone(
        found={"prod": zones, "staging": []},
        probed_origin="example.com",
        probed_nameservers=["ns1.elsewhere.example", "ns2.elsewhere.example"],
    )
    assert choice.status == NOT_DELEGATED and choice.zone is None
    assert "prod, staging" in choice.message
    assert "ns1.elsewhere.example, ns2.elsewhere.example" in choice.message
    delegated = choose_zone(
        found={"prod": zones}, probed_origin="example.com", probed_nameservers=zones[0].nameservers
    )
    assert delegated.status == DELEGATED and delegated.zone == zones[0]


def test_a_small_zone_is_read_in_one_call_a_big_one_name_by_name(r53, monkeypatch) -> None:
    _, account = r53
    client = route53_for(account)
    (zone,) = client.find_zones("example.com")
    names = {"_amazonses.example.com", "d1._domainkey.example.com"}
    expected = [RecordSet("_amazonses.example.com", "TXT", 600, OTHER_TOKENS)]
    before = client.calls
    assert client.record_sets(zone, names) == expected
    assert client.calls - before == 1
    monkeypatch.setattr(route53, "RRSET_PAGE", 2)  # NS, SOA, TXT: now more than one page
    before = client.calls
    assert client.record_sets(zone, names) == expected
    assert client.calls - before == 1 + len(names)
