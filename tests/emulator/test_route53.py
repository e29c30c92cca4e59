"""The emulator's Route 53: hosted zones over the zone store, atomic batches, GetChange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.scenario import ScenarioError
from emulator.testing import RunningEmulator, run_emulator

ACCOUNT, KEY, OTHER_KEY = "111111111111", "AKIAR53TEST000000001", "AKIAR53OTHER00000001"
SCENARIO = {
    "route53_insync_seconds": 30,
    "zones": [
        {
            "origin": "example.test",
            "nameservers": {"ns1.dns.example": "127.0.0.2", "ns2.dns.example": "127.0.0.3"},
            "hosted_zone": {"account": ACCOUNT},
            "records": [{"name": "_amazonses.example.test", "type": "TXT", "value": '"tokUS"'}],
        }
    ],
    "hosted_zones": [{"origin": "example.test", "account": ACCOUNT}],  # not delegated
    "accounts": [
        {
            "id": ACCOUNT,
            "access_keys": [KEY],
            "regions": {"eu-west-1": {"identities": [{"name": "example.test"}]}},
        },
        {"id": "222222222222", "access_keys": [OTHER_KEY]},
    ],
}


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with run_emulator(SCENARIO) as running:
        yield running


def _zones(r53: Any) -> dict[bool, str]:
    """{served by the DNS server?: zone id} of the two example.test zones."""
    out = {}
    for z in r53.list_hosted_zones_by_name(DNSName="example.test")["HostedZones"]:
        servers = r53.get_hosted_zone(Id=z["Id"])["DelegationSet"]["NameServers"]
        out["ns1.dns.example" in servers] = z["Id"]
    return out


def _change(action: str, name: str, rtype: str, *values: str, ttl: int = 300) -> dict:
    return {
        "Action": action,
        "ResourceRecordSet": {
            "Name": name,
            "Type": rtype,
            "TTL": ttl,
            "ResourceRecords": [{"Value": v} for v in values],
        },
    }


def test_zones_belong_to_their_account(emu: RunningEmulator) -> None:
    assert (
        len(emu.client("route53", access_key=KEY).list_hosted_zones_by_name()["HostedZones"]) == 2
    )
    other = emu.client("route53", access_key=OTHER_KEY)
    assert other.list_hosted_zones_by_name()["HostedZones"] == []
    zone_id = _zones(emu.client("route53", access_key=KEY))[True]
    with pytest.raises(ClientError) as caught:
        other.get_hosted_zone(Id=zone_id)
    assert caught.value.response["Error"]["Code"] == "NoSuchHostedZone"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_publishing_dkim_in_the_served_zone_verifies_the_domain(emu: RunningEmulator) -> None:
    r53, ses = emu.client("route53", access_key=KEY), emu.client("sesv2", "eu-west-1", KEY)
    tokens = ses.get_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    zone_id = _zones(r53)[True]
    changes = [
        _change("CREATE", f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")
        for t in tokens
    ]
    info = r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})[
        "ChangeInfo"
    ]
    assert info["Status"] == "PENDING"
    assert emu.store.answer(f"{tokens[0]}._domainkey.example.test", "CNAME", "ns2.dns.example")
    identity = ses.get_email_identity(EmailIdentity="example.test")
    assert identity["DkimAttributes"]["Status"] == "SUCCESS"
    emu.advance(31)
    assert r53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "INSYNC"


def test_a_zone_that_is_not_delegated_takes_records_that_nobody_sees(emu: RunningEmulator) -> None:
    r53, ses = emu.client("route53", access_key=KEY), emu.client("sesv2", "eu-west-1", KEY)
    tokens = ses.get_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    changes = [
        _change("CREATE", f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")
        for t in tokens
    ]
    r53.change_resource_record_sets(
        HostedZoneId=_zones(r53)[False], ChangeBatch={"Changes": changes}
    )
    assert emu.store.answer(f"{tokens[0]}._domainkey.example.test", "CNAME") == []
    status = ses.get_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Status"]
    assert status == "PENDING"


def test_a_batch_is_all_or_nothing(emu: RunningEmulator) -> None:
    r53 = emu.client("route53", access_key=KEY)
    zone_id = _zones(r53)[True]
    batch = [
        _change("CREATE", "new.example.test", "TXT", '"x"'),
        _change("DELETE", "_amazonses.example.test", "TXT", '"not-the-value"'),
    ]
    with pytest.raises(ClientError) as caught:
        r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": batch})
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidChangeBatch"
    assert "do not match the current values" in error["Message"]
    assert emu.store.answer("new.example.test", "TXT") == []


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([_change("CREATE", "_amazonses.example.test", "TXT", '"x"')], "already exists"),
        ([_change("DELETE", "nothing.example.test", "TXT", '"x"')], "was not found"),
        ([_change("CREATE", "_amazonses.example.test", "CNAME", "a.example")], "conflicting"),
        ([_change("CREATE", "www.elsewhere.test", "TXT", '"x"')], "not permitted in zone"),
    ],
)
def test_route53s_refusals(emu: RunningEmulator, batch: list, message: str) -> None:
    r53 = emu.client("route53", access_key=KEY)
    with pytest.raises(ClientError) as caught:
        r53.change_resource_record_sets(
            HostedZoneId=_zones(r53)[True], ChangeBatch={"Changes": batch}
        )
    assert message in caught.value.response["Error"]["Message"]


def test_upsert_replaces_the_set_and_delete_removes_it(emu: RunningEmulator) -> None:
    r53 = emu.client("route53", access_key=KEY)
    zone_id = _zones(r53)[True]
    upsert = _change("UPSERT", "_amazonses.example.test", "TXT", '"tokUS"', '"tokEU"', ttl=600)
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [upsert]})
    listed = r53.list_resource_record_sets(
        HostedZoneId=zone_id, StartRecordName="_amazonses.example.test", MaxItems="1"
    )
    (found,) = listed["ResourceRecordSets"]
    assert (found["Name"], found["TTL"]) == ("_amazonses.example.test.", 600)
    assert [r["Value"] for r in found["ResourceRecords"]] == ['"tokUS"', '"tokEU"']
    assert listed["IsTruncated"] is False  # nothing sorts after it here
    delete = {**upsert, "Action": "DELETE"}
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [delete]})
    assert emu.store.answer("_amazonses.example.test", "TXT") == []


def test_apex_ns_and_soa_are_listed_first_in_route53_order(emu: RunningEmulator) -> None:
    r53 = emu.client("route53", access_key=KEY)
    sets = r53.list_resource_record_sets(HostedZoneId=_zones(r53)[True])["ResourceRecordSets"]
    assert [(s["Name"], s["Type"]) for s in sets] == [
        ("example.test.", "NS"),
        ("example.test.", "SOA"),
        ("_amazonses.example.test.", "TXT"),
    ]
    assert [r["Value"] for r in sets[0]["ResourceRecords"]] == [
        "ns1.dns.example.",
        "ns2.dns.example.",
    ]


def test_unknown_change_and_bad_scenario_are_clear_errors(emu: RunningEmulator) -> None:
    with pytest.raises(ClientError) as caught:
        emu.client("route53", access_key=KEY).get_change(Id="CNOSUCH")
    assert caught.value.response["Error"]["Code"] == "NoSuchChange"
    bad = {"zones": [{"origin": "x.test", "hosted_zone": {"private": True}}]}
    with pytest.raises(ScenarioError, match="hosted_zone needs an account"), run_emulator(bad):
        pass


def test_the_control_api_lists_zones_and_changes_and_sets_the_insync_delay(emu) -> None:
    r53 = emu.client("route53", access_key=KEY)
    zone_id = _zones(r53)[True]
    batch = [_change("CREATE", "new.example.test", "TXT", '"x"')]
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": batch})
    state = emu.control("GET", "route53")
    served = {z["served"]: z for z in state["zones"]}
    assert served[True]["id"] == zone_id.rsplit("/", 1)[-1] and served[True]["record_sets"] == 4
    assert served[False]["nameservers"] == [
        "ns-1.awsdns-emulated.example",
        "ns-2.awsdns-emulated.example",
    ]
    assert [c["status"] for c in state["changes"]] == ["PENDING"]
    after = emu.control("POST", "route53", {"insync_seconds": 0})
    assert after["insync_seconds"] == 0 and [c["status"] for c in after["changes"]] == ["INSYNC"]
