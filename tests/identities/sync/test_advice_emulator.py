"""A region sync reads SES's own advice (VDM) against the emulator: one paginated
ListRecommendations where VDM is enabled, none where it is not."""

from __future__ import annotations

import pytest

from identities.blockers.states import cells_for
from identities.models import Identity
from identities.sync.run import sync_region
from regions.models import Event, SesRecommendation, SyncRun
from tests.identities.ses_backends import EMU_ACCOUNT, region_for
from tests.identities.sync.test_emulator import _calls

pytestmark = pytest.mark.django_db

DKIM_TEXT = "DKIM is not set up for example.com."


def _vdm(emulator_backend, recommendations: list[dict], enabled: bool = True) -> None:
    emulator_backend.emu.control(
        "POST",
        f"regions/{EMU_ACCOUNT}/us-east-1",
        {"vdm": {"enabled": enabled, "recommendations": recommendations}},
    )


def test_open_recommendations_are_read_in_pages_of_100_and_warn_on_their_identity(
    emulator_backend,
):
    emulator_backend.add("us-east-1", "example.com", "ops@example.com")
    others = [{"identity": f"d{i:03d}.example", "type": "SPF"} for i in range(120)]
    _vdm(emulator_backend, [
        {"identity": "example.com", "type": "DKIM", "impact": "HIGH", "description": DKIM_TEXT},
        *others,
    ])  # fmt: skip
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _calls(emulator_backend, "ListRecommendations") == 2  # 121 open: 100 + 21
    region.refresh_from_db()
    assert region.vdm_enabled is True and region.advice_error == ""
    assert SesRecommendation.objects.filter(region=region).count() == 121
    domain = Identity.objects.get(name="example.com")
    cell = cells_for([domain], [region])[(domain.pk, region.pk)]
    advice = [b for b in cell.blockers if b.code == "ses_recommendation"]
    assert len(advice) == 1 and DKIM_TEXT in advice[0].message
    assert not any(b.blocking for b in advice)


def test_where_vdm_is_off_the_advisor_is_not_asked(emulator_backend):
    emulator_backend.add("us-east-1", "example.com")
    _vdm(emulator_backend, [{"identity": "example.com", "type": "DKIM"}], enabled=False)
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _calls(emulator_backend, "ListRecommendations") == 0
    region.refresh_from_db()
    assert region.vdm_enabled is False
    assert not SesRecommendation.objects.filter(region=region).exists()


def test_a_recommendation_ses_marks_fixed_is_gone_after_the_next_sync(emulator_backend):
    emulator_backend.add("us-east-1", "example.com")
    _vdm(emulator_backend, [{"identity": "example.com", "type": "DMARC"}])
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    assert SesRecommendation.objects.filter(region=region).count() == 1

    _vdm(emulator_backend, [{"identity": "example.com", "type": "DMARC", "status": "FIXED"}])
    sync_region(region, trigger="test")

    assert not SesRecommendation.objects.filter(region=region).exists()
    closed = Event.objects.get(region=region, subject="ses_recommendation")
    assert (closed.identity_name, closed.before, closed.after) == (
        "example.com",
        "DMARC (low impact)",
        "",
    )


def test_advice_about_no_identity_is_stored_and_listed_for_its_account_region(emulator_backend):
    from regions.advice import account_advice

    emulator_backend.add("us-east-1", "example.com")
    ip_pool = f"arn:aws:ses:us-east-1:{EMU_ACCOUNT}:dedicated-ip-pool/marketing"
    _vdm(emulator_backend, [
        {"resource_arn": ip_pool, "type": "IP_LISTING", "impact": "HIGH", "description": "Listed."},
        {"identity": "example.com", "type": "DKIM", "description": DKIM_TEXT},
    ])  # fmt: skip
    region = region_for(emulator_backend)

    sync_region(region, trigger="test")

    region.refresh_from_db()
    ((listed_region, recs),) = account_advice([region])
    assert listed_region == region
    assert [(r.resource_arn, r.type, r.impact, r.description) for r in recs] == [
        (ip_pool, "IP_LISTING", "HIGH", "Listed.")
    ]
