"""A DEED replica's risk follows its parent's state (identities.blockers.rules.deed_replica)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identities.blockers.deed import DeedParent, parent_region_of, parent_trouble
from identities.blockers.engine import blockers_for, cell_status
from tests.identities.blockers.test_engine import DOMAIN, PROD, codes, only

REPLICA = replace(DOMAIN, dkim_origin="AWS_SES_EU_WEST_1")
HEALTHY = DeedParent(
    region="eu-west-1", present=True, verification_status="SUCCESS", dkim_status="SUCCESS"
)


def test_a_replica_whose_parent_is_healthy_has_no_blocker() -> None:
    assert blockers_for(replace(REPLICA, deed_parent=HEALTHY), PROD) == []


@pytest.mark.parametrize(
    "parent, words",
    [
        (replace(HEALTHY, verification_status="FAILED"), "is not verified (failed)"),
        (replace(HEALTHY, verification_status="PENDING"), "is not verified (pending)"),
        (replace(HEALTHY, dkim_status="FAILED"), "DKIM of the identity in eu-west-1 is failed"),
        (replace(HEALTHY, present=False), "no longer exists in eu-west-1"),
    ],
)
def test_a_replica_of_an_unhealthy_parent_gets_a_warning_naming_the_parent(parent, words):
    found = blockers_for(replace(REPLICA, deed_parent=parent), PROD)
    b = only(found, "deed_parent_unhealthy")
    assert b.severity == "warning"
    assert b.message.startswith("This region is a DEED replica, signing with the keys of eu-west-1")
    assert words in b.message
    assert "Fix the identity in eu-west-1 first" in b.remedy
    assert cell_status(found) == "warning"  # the replica still sends


def test_the_replicas_own_state_is_judged_as_before() -> None:
    failing = replace(REPLICA, dkim_status="FAILED", deed_parent=replace(HEALTHY, present=False))
    assert set(codes(blockers_for(failing, PROD))) == {"dkim_failed", "deed_parent_unhealthy"}


def test_an_unknown_parent_or_a_non_replica_says_nothing() -> None:
    assert blockers_for(REPLICA, PROD) == []  # parent region not tracked: nothing to judge
    assert parent_trouble(HEALTHY) is None


@pytest.mark.parametrize(
    "origin, region",
    [
        ("AWS_SES_EU_WEST_1", "eu-west-1"),
        ("AWS_SES_AP_SOUTHEAST_2", "ap-southeast-2"),
        ("AWS_SES", ""),
        ("EXTERNAL", ""),
        ("", ""),
    ],
)
def test_the_parent_region_is_read_from_the_dkim_origin(origin, region) -> None:
    assert parent_region_of(origin) == region
