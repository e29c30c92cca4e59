"""ORM -> engine states: field mapping, parent-domain verification, and constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identities.blockers.states import (
    blockers_for_regionals,
    cells_for,
    dns_states,
    identity_state,
    region_state,
)
from identities.models import DnsCheck, Identity, RegionalIdentity
from regions.models import Region
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def test_region_state_maps_account_fields_and_staleness() -> None:
    region = RegionFactory(
        account=AwsAccountFactory(label="main"),
        code="eu-west-1",
        production_access_enabled=False,
        enforcement_status="PROBATION",
        max_24_hour_send=200.0,
        sent_last_24_hours=12.0,
    )
    state = region_state(Region.objects.select_related("account").get(pk=region.pk))
    assert state.account_label == "main"
    assert state.code == "eu-west-1"
    assert state.in_sandbox is True
    assert state.enforcement_status == "PROBATION"
    assert (state.max_24_hour_send, state.sent_last_24_hours) == (200.0, 12.0)
    assert state.stale is False
    assert state.last_error == ""


def test_region_state_is_stale_with_the_error_of_a_failed_sync() -> None:
    region = RegionFactory(
        last_sync_error="AccessDenied: nope", last_sync_error_at=timezone.now() + timedelta(1)
    )
    state = region_state(region)
    assert state.stale is True
    assert state.last_error == "AccessDenied: nope"


def test_region_state_ignores_an_error_older_than_the_last_success() -> None:
    region = RegionFactory(
        last_sync_error="old", last_sync_error_at=timezone.now() - timedelta(hours=1)
    )
    state = region_state(region)
    assert state.stale is False
    assert state.last_error == ""


def test_identity_state_maps_regional_fields() -> None:
    ri = RegionalIdentityFactory(
        identity=IdentityFactory(name="mydomain.example"),
        verification_status="FAILED",
        verified_for_sending=False,
        verification_error_type="HOST_NOT_FOUND",
        dkim_status="PENDING",
        dkim_origin="AWS_SES",
        dkim_signing_enabled=True,
        mail_from_domain="m.mydomain.example",
        mail_from_status="FAILED",
        mail_from_behavior="REJECT_MESSAGE",
    )
    state = identity_state(ri, domain_verified=True, other_regions=["us-west-2", "eu-west-1"])
    assert state.kind == "DOMAIN"
    assert state.verification_error_type == "HOST_NOT_FOUND"
    assert state.mail_from_behavior == "REJECT_MESSAGE"
    assert state.other_regions == ("eu-west-1", "us-west-2")
    # A domain has no parent domain to inherit from.
    assert state.parent_domain_verified is False


def test_dns_states_copy_verdicts() -> None:
    check = DnsCheckFactory(verdict=DnsCheck.Verdict.PARTIAL, diagnosis="servers disagree")
    [state] = dns_states([check])
    assert (state.verdict, state.diagnosis, state.rtype) == ("partial", "servers disagree", "CNAME")


def _world(n: int) -> tuple[list[Identity], list[Region]]:
    account = AwsAccountFactory(label="main")
    east = RegionFactory(account=account, code="us-east-1", production_access_enabled=False)
    west = RegionFactory(account=account, code="eu-west-1")
    domain = IdentityFactory(account=account, name="mydomain.example")
    RegionalIdentityFactory(identity=domain, region=east)
    ri = RegionalIdentityFactory(identity=domain, region=west)
    DnsCheckFactory(regional_identity=ri, verdict=DnsCheck.Verdict.MISSING)
    for i in range(n):
        addr = IdentityFactory(account=account, name=f"user{i}@mydomain.example")
        RegionalIdentityFactory(
            identity=addr, region=east, verification_status="PENDING", verified_for_sending=False
        )
    identities = list(Identity.objects.filter(account=account))
    regions = list(Region.objects.filter(account=account).select_related("account"))
    return identities, regions


def test_cells_for_uses_a_constant_number_of_queries() -> None:
    identities, regions = _world(3)
    with CaptureQueriesContext(connection) as few:
        cells_for(identities, regions)
    more_identities, _ = _world_extra(20, regions)
    with CaptureQueriesContext(connection) as many:
        cells_for(identities + more_identities, regions)
    assert len(many) == len(few) <= 5


def _world_extra(n: int, regions: list[Region]) -> tuple[list[Identity], list[Region]]:
    account = regions[0].account
    made = []
    for i in range(n):
        addr = IdentityFactory(account=account, name=f"extra{i}@other.example")
        RegionalIdentityFactory(identity=addr, region=regions[0])
        made.append(addr)
    return made, regions


def test_cells_for_gives_absent_cells_with_other_regions_and_most_specific_identity_rule() -> None:
    identities, regions = _world(1)
    east, west = (next(r for r in regions if r.code == c) for c in ("us-east-1", "eu-west-1"))
    cells = cells_for(identities, regions)
    addr = next(i for i in identities if i.is_email)
    domain = next(i for i in identities if not i.is_email)

    # The address is pending though its domain is verified in us-east-1: SES judges the
    # address identity by its own status, and the remedy says deleting it would do.
    east_cell = cells[(addr.pk, east.pk)]
    assert [b.code for b in east_cell.blockers] == ["verification_pending", "sandbox"]
    assert "delete the address identity" in east_cell.blockers[0].remedy
    assert east_cell.status == "blocked"

    # It has no row in eu-west-1: absent, and the message names where it does exist.
    west_cell = cells[(addr.pk, west.pk)]
    assert west_cell.regional is None
    assert west_cell.status == "absent"
    assert "us-east-1" in west_cell.blockers[0].message

    # The verified domain's missing DNS record is a warning in eu-west-1.
    assert [b.code for b in cells[(domain.pk, west.pk)].blockers] == ["dns_missing"]


def test_cells_skip_regions_of_other_accounts() -> None:
    identities, regions = _world(0)
    other = RegionFactory(account=AwsAccountFactory(label="other"), code="us-east-1")
    cells = cells_for(identities, [*regions, other])
    assert all(region_id != other.pk for _, region_id in cells)


def test_blockers_for_regionals_matches_cells_and_query_count_is_fixed() -> None:
    identities, regions = _world(2)
    rows = list(RegionalIdentity.objects.select_related("identity", "region__account"))
    with CaptureQueriesContext(connection) as ctx:
        result = blockers_for_regionals(rows)
    assert len(ctx) <= 5
    cells = cells_for(identities, regions)
    for ri in rows:
        assert result[ri.pk] == cells[(ri.identity_id, ri.region_id)].blockers
