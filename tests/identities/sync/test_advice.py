"""The sync's VDM half: which recommendations are stored, replaced and kept (apply), and
when ListRecommendations is asked at all (read)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from identities.models import RegionalIdentity
from identities.sync.advice import apply_advice
from identities.sync.run import sync_region
from regions.models import SesRecommendation, SyncRun
from regions.ses_types import EMAIL, AccountState, IdentitySummary, Recommendation, SesError
from tests.factories import RegionFactory, SesRecommendationFactory
from tests.fake_ses import SANDBOX

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ON = AccountState(True, True, "HEALTHY", 50000.0, 14.0, 0.0, vdm_enabled=True)
OFF = AccountState(True, True, "HEALTHY", 50000.0, 14.0, 0.0, vdm_enabled=False)
ARN = "arn:aws:ses:us-east-1:111111111111:identity/"


def _rec(name: str, kind: str = "DKIM", impact: str = "HIGH", **kw) -> Recommendation:
    return Recommendation(ARN + name, kind, kw.pop("description", f"{kind} advice"),
                          kw.pop("status", "OPEN"), impact, **kw)  # fmt: skip


@pytest.fixture
def region():
    return RegionFactory(code="us-east-1", account__account_id="111111111111")


def _stored(region) -> list[tuple[str, str, str]]:
    rows = SesRecommendation.objects.filter(region=region).order_by("identity_name", "type")
    return [(r.identity_name, r.type, r.impact) for r in rows]


def test_open_recommendations_are_stored_matched_to_identities_by_arn(region):
    found = [_rec("example.com"), _rec("ops@example.com", "COMPLAINT", "LOW")]
    write = apply_advice(region, ON, found, "", NOW)
    assert write.changed and write.problems == []
    assert write.events == []  # the first read is a baseline, not news
    assert _stored(region) == [
        ("example.com", "DKIM", "HIGH"),
        ("ops@example.com", "COMPLAINT", "LOW"),
    ]
    assert region.vdm_enabled is True and region.advice_synced_at == NOW


def test_a_recommendation_no_longer_open_is_deleted_one_still_open_keeps_its_first_sighting(region):
    apply_advice(region, ON, [_rec("a.example"), _rec("b.example")], "", NOW)
    first = SesRecommendation.objects.get(identity_name="b.example").first_seen_at
    later = datetime(2026, 11, 30, tzinfo=UTC)
    fixed = _rec("a.example", status="FIXED")
    assert apply_advice(region, ON, [fixed, _rec("b.example")], "", later).changed
    assert _stored(region) == [("b.example", "DKIM", "HIGH")]
    assert SesRecommendation.objects.get(identity_name="b.example").first_seen_at == first


def test_each_recommendation_opened_or_closed_after_the_first_read_is_an_event(region):
    apply_advice(region, ON, [_rec("a.example")], "", NOW)
    write = apply_advice(region, ON, [_rec("b.example", "DMARC", "LOW")], "", NOW)
    assert [(e.identity_name, e.subject, e.before, e.after) for e in write.events] == [
        ("b.example", "ses_recommendation", "", "DMARC (low impact)"),
        ("a.example", "ses_recommendation", "DKIM (high impact)", ""),
    ]
    assert write.events[0].message == "DMARC advice"


def test_nothing_changed_is_no_change(region):
    apply_advice(region, ON, [_rec("a.example")], "", NOW)
    write = apply_advice(region, ON, [_rec("a.example")], "", NOW)
    assert not write.changed and write.events == [] and write.problems == []


def test_a_failed_read_keeps_the_last_good_list_and_records_the_error(region):
    apply_advice(region, ON, [_rec("a.example")], "", NOW)
    write = apply_advice(region, ON, None, "access denied", NOW)
    assert not write.changed and write.problems == ["ListRecommendations: access denied"]
    assert region.advice_error == "access denied" and region.advice_synced_at == NOW
    assert _stored(region) == [("a.example", "DKIM", "HIGH")]


def test_vdm_turned_off_clears_the_advice(region):
    apply_advice(region, ON, [_rec("a.example")], "", NOW)
    write = apply_advice(region, OFF, None, "", NOW)
    assert write.changed and write.problems == [] and region.vdm_enabled is False
    assert _stored(region) == []


def test_an_unknown_account_state_keeps_everything(region):
    SesRecommendationFactory(region=region, identity_name="a.example")
    region.vdm_enabled = True
    write = apply_advice(region, None, None, "", NOW)
    assert not write.changed and write.problems == []
    assert region.vdm_enabled is True and len(_stored(region)) == 1


def test_an_arn_of_another_kind_or_region_matches_no_identity(region):
    found = [
        Recommendation("arn:aws:ses:us-east-1:111111111111:dedicated-ip-pool/p1", "IP_LISTING",
                       "Listed.", "OPEN", "HIGH"),
        Recommendation("arn:aws:ses:eu-west-1:111111111111:identity/x.example", "SPF", "SPF.",
                       "OPEN", "LOW"),
    ]  # fmt: skip
    apply_advice(region, ON, found, "", NOW)
    assert sorted(_stored(region)) == [("", "IP_LISTING", "HIGH"), ("", "SPF", "LOW")]


def test_a_failed_read_leaves_the_identity_sync_succeeding_with_the_error_shown(fake_ses):
    fake_ses.account = replace(SANDBOX, vdm_enabled=True)
    fake_ses.identities = [IdentitySummary("ops@example.com", EMAIL, True, "SUCCESS")]
    fake_ses.errors["list_recommendations"] = SesError(
        "AccessDeniedException", "not authorized to perform ses:ListRecommendations",
        permanent=True, operation="ListRecommendations",
    )  # fmt: skip
    region = RegionFactory(code="us-east-1", vdm_enabled=True, last_success_at=None)
    SesRecommendationFactory(region=region, identity_name="ops@example.com")

    run = sync_region(region, trigger="test")

    region.refresh_from_db()
    assert region.last_success_at is not None and not region.is_stale()
    assert RegionalIdentity.objects.filter(region=region, present=True).count() == 1
    assert run.status == SyncRun.Status.PARTIAL and "ListRecommendations" in run.error
    assert "access denied" in region.advice_error
    assert SesRecommendation.objects.filter(region=region).count() == 1  # the last good list


def test_the_advisor_is_asked_once_per_sync_only_where_vdm_is_enabled(fake_ses):
    fake_ses.identities = [IdentitySummary("ops@example.com", EMAIL, True, "SUCCESS")]
    off = RegionFactory(code="eu-west-1")
    sync_region(off, trigger="test")
    assert fake_ses.ops("list_recommendations") == []

    fake_ses.account = replace(SANDBOX, vdm_enabled=True)
    fake_ses.recommendations["us-east-1"] = [_rec("ops@example.com", "BOUNCE", "LOW")]
    on = RegionFactory(code="us-east-1", account=off.account)
    sync_region(on, trigger="test")
    assert fake_ses.ops("list_recommendations") == [("us-east-1",)]
    assert _stored(on) == [("ops@example.com", "BOUNCE", "LOW")]
