"""The global-endpoint rules (identities/blockers/endpoints.py): an identity sends through an
endpoint only when it can send from both regions; the endpoint is ready only when SES says
READY, both regions pass, and some identity can send through it."""

from __future__ import annotations

import dataclasses

import pytest

from identities.blockers import endpoints as rules
from identities.blockers.engine import BLOCKING, IdentityState, RegionState
from tests.identities.blockers.test_engine import ADDRESS, DOMAIN, PROD, codes


def _region(code: str, **kw) -> RegionState:
    return dataclasses.replace(PROD, code=code, **kw)


def _domain(**kw) -> IdentityState:
    return dataclasses.replace(DOMAIN, name="example.com", **kw)


US, EU = _region("us-east-1"), _region("eu-west-1")


def _blocking(blockers) -> list[str]:
    return [b.code for b in blockers if b.severity == BLOCKING]


def test_a_verified_domain_with_dkim_in_both_regions_sends_through_the_endpoint():
    replica = _domain(dkim_origin="AWS_SES_US_EAST_1")
    assert rules.for_identity(_domain(), US, other=replica, other_region="eu-west-1") == []
    assert rules.for_identity(replica, EU, other=_domain(), other_region="us-east-1") == []
    assert rules.dkim_setup(replica) == "DEED replica of us-east-1"


def test_the_sandbox_blocks_sending_through_the_endpoint_where_the_grid_only_warns():
    sandbox = _region("eu-west-1", production_access_enabled=False)
    found = rules.for_identity(_domain(), sandbox, other=_domain(), other_region="us-east-1")
    assert _blocking(found) == ["endpoint_sandbox"]
    assert "sandbox" not in codes(found)  # the grid's warning is replaced, not repeated
    assert found[0].action == "request_production_access"


def test_unknown_production_access_blocks_until_a_sync_reads_it():
    unknown = _region("eu-west-1", production_access_enabled=None)
    found = rules.for_identity(_domain(), unknown, other=_domain(), other_region="us-east-1")
    assert _blocking(found) == ["endpoint_sandbox"] and found[0].action == "sync_now"


@pytest.mark.parametrize(
    ("dkim", "why"),
    [
        ({"dkim_status": "PENDING"}, "SES has not found the DKIM records yet"),
        ({"dkim_status": "FAILED"}, "DKIM failed"),
        ({"dkim_status": "NOT_STARTED", "dkim_signing_enabled": False}, "DKIM is not set up"),
        ({"dkim_signing_enabled": False}, "signing is turned off"),
    ],
)
def test_a_domain_without_working_dkim_in_a_region_is_blocked_there(dkim, why):
    found = rules.for_identity(_domain(**dkim), EU, other=_domain(), other_region="us-east-1")
    assert _blocking(found) == ["endpoint_dkim"]
    assert why in found[0].message
    assert "DEED replica of us-east-1" in found[0].remedy  # the intended setup


def test_a_replicas_dkim_problem_points_at_its_parent():
    replica = _domain(dkim_origin="AWS_SES_US_EAST_1", dkim_status="FAILED")
    found = rules.for_identity(replica, EU, other=_domain(), other_region="us-east-1")
    assert "fix DKIM of the identity in us-east-1" in found[0].remedy


def test_an_address_is_judged_by_its_own_verification_not_dkim():
    address = ADDRESS
    assert rules.for_identity(address, EU, other=address, other_region="us-east-1") == []
    assert rules.dkim_setup(address) == ""


def test_an_identity_missing_from_a_region_blocks_and_suggests_a_deed_replica():
    absent = IdentityState(name="example.com", kind="DOMAIN", present=False)
    found = rules.for_identity(absent, EU, other=_domain(), other_region="us-east-1")
    assert _blocking(found) == ["not_in_region"]
    assert "DEED replica of us-east-1" in found[0].remedy
    # No DEED parent to offer when the other region's identity is BYODKIM.
    byo = _domain(dkim_origin="EXTERNAL")
    found = rules.for_identity(absent, EU, other=byo, other_region="us-east-1")
    assert "DEED" not in found[0].remedy


def test_an_unverified_identity_keeps_the_engines_blocker():
    pending = _domain(verification_status="PENDING", verified_for_sending=False)
    found = rules.for_identity(pending, US, other=_domain(), other_region="eu-west-1")
    assert "verification_pending" in _blocking(found)


def test_a_ready_endpoint_over_two_healthy_regions_has_no_blocker():
    regions = [rules.EndpointRegion("us-east-1", US), rules.EndpointRegion("eu-west-1", EU)]
    assert rules.for_endpoint("READY", regions) == []
    assert rules.with_identities([], ready=1, total=3) == []


@pytest.mark.parametrize("status", ["CREATING", "FAILED", "DELETING", "SOMETHING_NEW", ""])
def test_an_endpoint_ses_does_not_call_ready_is_not_ready(status):
    regions = [rules.EndpointRegion("us-east-1", US), rules.EndpointRegion("eu-west-1", EU)]
    assert _blocking(rules.for_endpoint(status, regions)) == ["endpoint_not_ready"]


def test_an_endpoint_with_its_secondary_in_the_sandbox_or_unsynced_is_not_ready():
    sandbox = dataclasses.replace(EU, production_access_enabled=False)
    regions = [rules.EndpointRegion("us-east-1", US), rules.EndpointRegion("eu-west-1", sandbox)]
    found = rules.for_endpoint("READY", regions)
    assert _blocking(found) == ["endpoint_sandbox"]
    assert "eu-west-1 is in the SES sandbox" in found[0].message
    unsynced = [rules.EndpointRegion("us-east-1", US), rules.EndpointRegion("ap-south-2", None)]
    assert _blocking(rules.for_endpoint("READY", unsynced)) == ["endpoint_region_not_synced"]


def test_account_level_blocks_of_either_region_stop_the_endpoint():
    paused = dataclasses.replace(EU, sending_enabled=False)
    regions = [rules.EndpointRegion("us-east-1", US), rules.EndpointRegion("eu-west-1", paused)]
    assert _blocking(rules.for_endpoint("READY", regions)) == ["sending_paused"]


def test_an_endpoint_no_identity_can_send_through_is_not_ready():
    found = rules.with_identities([], ready=0, total=4)
    assert _blocking(found) == ["endpoint_no_identity"]
    assert "None of the 4 identities" in found[0].message
    assert found[0].title == "No identity ready"
