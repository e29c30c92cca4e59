"""Coverage: identities usable per account-region, and the ones missing where others send."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities.selectors.coverage import coverage_for, regions_for_page
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acct = AwsAccountFactory(label="main")
    east = RegionFactory(account=acct, code="us-east-1")
    west = RegionFactory(account=acct, code="eu-west-1")
    south = RegionFactory(account=acct, code="ap-south-1", hidden=True)
    domain = IdentityFactory(account=acct, name="example.com")
    alice = IdentityFactory(account=acct, name="alice@example.com")
    bob = IdentityFactory(account=acct, name="bob@other.org")
    carol = IdentityFactory(account=acct, name="carol@other.org")
    # example.com verified in both regions: alice (only created in us-east-1) is usable in both.
    RegionalIdentityFactory(identity=domain, region=east)
    RegionalIdentityFactory(identity=domain, region=west)
    RegionalIdentityFactory(identity=alice, region=east)
    # bob: us-east-1 only. carol: pending in eu-west-1, usable in us-east-1.
    RegionalIdentityFactory(identity=bob, region=east)
    RegionalIdentityFactory(identity=carol, region=east)
    RegionalIdentityFactory(
        identity=carol, region=west, verification_status="PENDING", verified_for_sending=False
    )
    # a hidden region neither counts as "elsewhere" nor reports what it lacks
    RegionalIdentityFactory(identity=IdentityFactory(account=acct, name="x@y.net"), region=south)
    return acct, east, west, south


def test_it_counts_usable_identities_here_and_elsewhere(world):
    _acct, east, west, _south = world
    regions = list(regions_for_page())
    assert [r.code for r in regions] == ["eu-west-1", "us-east-1"]
    cov = coverage_for(regions)
    assert cov[east.pk].usable_here == 4  # example.com, alice, bob, carol
    assert cov[west.pk].usable_here == 2  # example.com, alice (through her domain)
    assert cov[west.pk].usable_elsewhere == 4
    assert cov[east.pk].usable_elsewhere == 2


def test_it_lists_identities_missing_from_a_region_with_the_reason(world):
    _acct, east, west, _south = world
    cov = coverage_for(list(regions_for_page()))
    assert [(m.name, m.reason) for m in cov[west.pk].missing] == [
        ("bob@other.org", "absent"),
        ("carol@other.org", "not verified"),
    ]
    assert cov[west.pk].missing_count == 2
    assert cov[east.pk].missing == []


def test_an_address_is_judged_by_its_own_identity_where_ses_holds_it():
    """SES applies the most specific identity: a pending address identity does not send
    through its verified domain; where SES does not hold the address, a verified parent
    domain (any depth) covers it, and a subdomain identity SES holds decides before it."""
    acct = AwsAccountFactory(label="main")
    east = RegionFactory(account=acct, code="us-east-1")
    west = RegionFactory(account=acct, code="eu-west-1")
    parent = IdentityFactory(account=acct, name="example.com")
    sub = IdentityFactory(account=acct, name="mail.example.com")
    pending = IdentityFactory(account=acct, name="ops@example.com")
    deep = IdentityFactory(account=acct, name="bot@eu.mail.example.com")
    for region in (east, west):
        RegionalIdentityFactory(identity=parent, region=region)
    RegionalIdentityFactory(identity=pending, region=east)
    RegionalIdentityFactory(
        identity=pending, region=west, verification_status="PENDING", verified_for_sending=False
    )
    RegionalIdentityFactory(identity=deep, region=east)
    RegionalIdentityFactory(
        identity=sub, region=west, verification_status="FAILED", verified_for_sending=False
    )

    cov = coverage_for([east, west])

    assert cov[east.pk].usable_here == 3  # example.com, ops@, bot@ (its own identity)
    # eu-west-1: example.com only. ops@ is pending there (its own identity decides), bot@ is
    # absent and mail.example.com, the most specific domain SES holds there, failed.
    assert cov[west.pk].usable_here == 1
    assert {m.name: m.reason for m in cov[west.pk].missing} == {
        "bot@eu.mail.example.com": "absent",
        "ops@example.com": "not verified",
    }


def test_hidden_regions_count_when_shown(world):
    _acct, east, _west, south = world
    cov = coverage_for(list(regions_for_page(show_hidden=True)))
    assert cov[south.pk].usable_here == 1
    assert [m.name for m in cov[east.pk].missing] == ["x@y.net"]


def test_accounts_do_not_mix(world):
    other = RegionFactory(account=AwsAccountFactory(label="other"), code="us-east-1")
    cov = coverage_for(list(regions_for_page()))
    assert cov[other.pk].usable_here == 0
    assert cov[other.pk].missing_count == 0


def test_it_runs_a_constant_number_of_queries(world):
    acct = world[0]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            coverage_for(list(regions_for_page()))
        return len(ctx.captured_queries)

    before = count()
    extra_region = RegionFactory(account=acct, code="eu-central-1")
    for i in range(20):
        RegionalIdentityFactory(
            identity=IdentityFactory(account=acct, name=f"u{i}@z.org"), region=extra_region
        )
    assert count() == before == 2
