"""The production-access readiness checklist, computed from synced data and DNS checks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities.selectors.readiness import (
    GUIDANCE,
    OK,
    TODO,
    UNKNOWN,
    readiness_for_regions,
)
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def _status(readiness) -> dict[str, str]:
    return {i.key: i.status for i in readiness.items}


@pytest.fixture
def region():
    return RegionFactory(
        account=AwsAccountFactory(label="main"), code="eu-west-1", production_access_enabled=False
    )


def _good_domain(region, name="example.com"):
    ri = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name=name),
        region=region,
        dkim_signing_enabled=True,
        dkim_status="SUCCESS",
        mail_from_domain=f"mail.{name}",
        mail_from_status="SUCCESS",
        mail_from_behavior="USE_DEFAULT_VALUE",
    )
    DnsCheckFactory(
        regional_identity=ri, purpose="dmarc", name=f"_dmarc.{name}", rtype="TXT", verdict="ok"
    )
    return ri


def readiness_for(region):
    return readiness_for_regions([region])[region.pk]


def test_a_well_set_up_region_is_ready(region):
    _good_domain(region)
    RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="ops@example.com"), region=region
    )
    readiness = readiness_for(region)
    assert _status(readiness) == {
        "dkim": OK,
        "mail_from": OK,
        "dmarc": OK,
        "blocked": OK,
        "standing": OK,
    }
    assert readiness.ready
    assert readiness.passed == 5
    # the sandbox itself is what the request is about: it does not count as a blocked identity
    assert region.production_access_enabled is False


def test_an_empty_region_has_everything_to_do(region):
    readiness = readiness_for(region)
    status = _status(readiness)
    assert status["dkim"] == TODO
    assert status["mail_from"] == TODO
    assert status["dmarc"] == UNKNOWN  # never probed: "not checked yet", not "missing"
    assert status["blocked"] == TODO
    assert not readiness.ready
    dmarc = next(i for i in readiness.items if i.key == "dmarc")
    assert dmarc.detail == "Not checked yet."


def test_dkim_must_succeed_on_a_verified_domain(region):
    RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="example.com"),
        region=region,
        dkim_status="PENDING",
    )
    item = readiness_for(region).items[0]
    assert item.status == TODO
    assert "example.com: verification SUCCESS, DKIM PENDING" in item.detail


def test_an_address_alone_is_not_a_domain(region):
    RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="a@example.com"), region=region
    )
    item = readiness_for(region).items[0]
    assert item.status == TODO
    assert "No domain identity" in item.detail


def test_mail_from_not_confirmed_is_reported_with_its_status(region):
    ri = _good_domain(region)
    ri.mail_from_status = "PENDING"
    ri.save()
    item = next(i for i in readiness_for(region).items if i.key == "mail_from")
    assert item.status == TODO
    assert "mail.example.com: PENDING" in item.detail


def test_dmarc_missing_is_reported_from_the_dns_probe(region):
    ri = _good_domain(region)
    ri.dns_checks.update(verdict="missing")
    item = next(i for i in readiness_for(region).items if i.key == "dmarc")
    assert item.status == TODO
    assert "_dmarc.example.com: missing" in item.detail


def test_blocked_identities_are_named(region):
    _good_domain(region)
    RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="new@other.org"),
        region=region,
        verification_status="FAILED",
        verified_for_sending=False,
    )
    item = next(i for i in readiness_for(region).items if i.key == "blocked")
    assert item.status == TODO
    assert "new@other.org (verification failed)" in item.detail


def test_a_pending_address_identity_under_a_verified_domain_is_blocked(region):
    """SES applies the most specific identity: the address identity's own status."""
    _good_domain(region)
    RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="x@example.com"),
        region=region,
        verification_status="PENDING",
        verified_for_sending=False,
    )
    item = next(i for i in readiness_for(region).items if i.key == "blocked")
    assert item.status == TODO and "x@example.com" in item.detail


def test_an_account_under_enforcement_is_not_in_good_standing(region):
    region.enforcement_status = "PROBATION"
    region.sending_enabled = False
    region.save()
    item = next(i for i in readiness_for(region).items if i.key == "standing")
    assert item.status == TODO
    assert item.detail == "Sending is paused; enforcement status PROBATION."


def test_guidance_covers_what_the_request_must_describe():
    assert [g.key for g in GUIDANCE] == ["use_case", "volume", "bounces", "opt_in"]


def test_several_regions_take_a_constant_number_of_queries(region):
    _good_domain(region)
    others = [
        RegionFactory(account=region.account, code=code, production_access_enabled=False)
        for code in ("us-east-1", "ap-south-1", "ca-central-1")
    ]
    for r in others:
        _good_domain(r, name=f"{r.code}.example.com")
    regions = [region, *others]
    for r in regions:
        assert r.account  # loaded, as the views do with select_related
    with CaptureQueriesContext(connection) as ctx:
        result = readiness_for_regions(regions)
    assert len(ctx.captured_queries) == 2
    assert all(result[r.pk].ready for r in regions)
