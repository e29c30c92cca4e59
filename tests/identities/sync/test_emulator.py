"""Region sync against the emulator only: what moto cannot do (statuses, account state,
throttling, faults, call accounting)."""

from __future__ import annotations

import pytest

from identities.models import RegionalIdentity
from identities.sync.run import sync_region
from regions import ses
from regions.models import Event, SyncRun
from tests.identities.ses_backends import EMU_ACCOUNT, region_for

pytestmark = pytest.mark.django_db


def _ri(region, name: str) -> RegionalIdentity:
    return RegionalIdentity.objects.get(region=region, identity__name=name)


def _calls(emulator_backend, operation: str, region: str = "us-east-1") -> int:
    stats = emulator_backend.emu.control("GET", "stats")["counts"]
    return sum(
        row["count"]
        for row in stats
        if row["operation"] == operation
        and row["region"] == region
        and row["account"] == EMU_ACCOUNT
    )


def test_it_writes_an_event_for_each_status_change(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    first = _ri(region, "ops@example.com")
    assert first.verification_status == "PENDING"
    assert first.verified_for_sending is False
    region.refresh_from_db()
    region_changed = region.changed_at

    emulator_backend.set_status("us-east-1", "ops@example.com", "SUCCESS")
    run = sync_region(region, trigger="test")

    now = _ri(region, "ops@example.com")
    assert now.verification_status == "SUCCESS"
    assert now.verified_for_sending is True
    assert now.changed_at > first.changed_at
    event = Event.objects.get(identity_name="ops@example.com", subject="verification_status")
    assert (event.before, event.after, event.actor_name) == ("PENDING", "SUCCESS", "sync")
    assert run.changes == Event.objects.filter(identity_name="ops@example.com").count()
    region.refresh_from_db()
    assert region.changed_at > region_changed


def test_an_unchanged_region_changes_nothing(emulator_backend):
    emulator_backend.add("us-east-1", "example.com", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    region.refresh_from_db()
    changed = region.changed_at

    run = sync_region(region, trigger="test")

    assert run.changes == 0
    region.refresh_from_db()
    assert region.changed_at == changed


def test_a_healthy_address_never_costs_a_per_identity_call(emulator_backend):
    emulator_backend.seed_verified("us-east-1", [f"u{i}@example.com" for i in range(150)])
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _calls(emulator_backend, "GetEmailIdentity") == 0
    # GetAccount, ListMultiRegionEndpoints, one page, two MAIL FROM batches of <=100: nothing
    # else.
    assert run.calls == 5
    assert _calls(emulator_backend, "GetIdentityMailFromDomainAttributes") == 2


def test_a_pending_address_is_read_in_detail_only_when_its_status_moves(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    sync_region(region, trigger="test")
    assert _calls(emulator_backend, "GetEmailIdentity") == 1

    emulator_backend.set_status("us-east-1", "ops@example.com", "FAILED")
    sync_region(region, trigger="test")
    assert _calls(emulator_backend, "GetEmailIdentity") == 2
    assert _ri(region, "ops@example.com").verification_status == "FAILED"


def test_a_domain_is_read_in_detail_once_then_when_its_dkim_changes(emulator_backend):
    emu = emulator_backend.emu
    emulator_backend.client("sesv2", "us-east-1").create_email_identity(EmailIdentity="example.com")
    emu.control("POST", f"identities/{EMU_ACCOUNT}/us-east-1/example.com", {"publish": ["dkim"]})
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    domain = _ri(region, "example.com")
    assert domain.dkim_status == "SUCCESS"
    assert domain.dkim_origin == "AWS_SES"
    assert domain.dkim_signing_zone
    assert _calls(emulator_backend, "GetEmailIdentity") == 1

    sync_region(region, trigger="test")
    assert _calls(emulator_backend, "GetEmailIdentity") == 1  # nothing changed: no detail

    emu.control("POST", f"identities/{EMU_ACCOUNT}/us-east-1/example.com", {"unpublish": ["dkim"]})
    sync_region(region, trigger="test")
    assert _calls(emulator_backend, "GetEmailIdentity") == 2
    domain = _ri(region, "example.com")
    assert domain.dkim_status == "TEMPORARY_FAILURE"
    assert Event.objects.filter(identity_name="example.com", subject="dkim_status").exists()


def test_it_records_account_changes_as_events(emulator_backend):
    region = region_for(emulator_backend, "ap-southeast-2")  # in the sandbox
    sync_region(region, trigger="test")
    region.refresh_from_db()
    assert region.in_sandbox is True

    emulator_backend.region_fault("ap-southeast-2", production=True, enforcement_status="PROBATION")
    sync_region(region, trigger="test")

    region.refresh_from_db()
    assert region.in_sandbox is False
    left = Event.objects.get(region=region, subject="production_access")
    assert (left.kind, left.before, left.after) == (Event.Kind.ACCOUNT, "sandbox", "production")
    assert "left the sandbox" in left.message
    probation = Event.objects.get(region=region, subject="enforcement_status")
    assert probation.after == "PROBATION"


def test_production_access_review_steps_are_events(emulator_backend):
    region = region_for(emulator_backend, "ap-southeast-2")
    sync_region(region, trigger="test")  # the baseline: no event for a first read
    assert not Event.objects.filter(region=region, kind=Event.Kind.ACCOUNT).exists()
    client = ses.client_for(region.account, region.code)
    client.put_account_details(mail_type="TRANSACTIONAL", website_url="https://example.com")
    sync_region(region, trigger="test")
    region.refresh_from_db()
    assert region.review_status == "PENDING"

    emulator_backend.emu.control(
        "POST", f"review/{EMU_ACCOUNT}/ap-southeast-2", {"status": "DENIED"}
    )
    sync_region(region, trigger="test")

    steps = Event.objects.filter(region=region, subject="review_status").order_by("id")
    assert [(e.before, e.after) for e in steps] == [("", "PENDING"), ("PENDING", "DENIED")]


def test_throttling_is_absorbed_by_retries(emulator_backend, monkeypatch):
    monkeypatch.setattr(ses, "MAX_ATTEMPTS", 8)
    ses.clear_client_cache()
    emulator_backend.seed_verified("us-east-1", [f"u{i}@example.com" for i in range(120)])
    emulator_backend.region_fault("us-east-1", rate_limit={"rps": 4, "burst": 1})
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")  # no client-side pacing: SES throttles

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.throttled > 0
    assert run.calls == 5 + run.throttled  # GetAccount, ListMultiRegionEndpoints, list, 2 MAIL FROM
    assert RegionalIdentity.objects.filter(region=region).count() == 120


def test_the_limiter_keeps_sync_under_the_ses_rate(emulator_backend, settings):
    settings.SESOPS_SES_RATE = 3.5  # a little under SES's 4/s: timer jitter never collides
    emulator_backend.seed_verified("us-east-1", [f"u{i}@example.com" for i in range(120)])
    emulator_backend.region_fault("us-east-1", rate_limit={"rps": 4, "burst": 1})
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.throttled == 0


def test_access_denied_fails_the_sync_and_keeps_the_data(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")

    emulator_backend.region_fault("us-east-1", denied=True)
    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.FAILED
    assert "access denied" in run.error
    assert _ri(region, "ops@example.com").present is True
    region.refresh_from_db()
    assert "access denied" in region.account_error
    assert "access denied" in region.last_sync_error
    assert emulator_backend.emu.control("GET", "stats")["counts"]  # it did ask
    # Permanent: one listing per sync (the first sync and this one), never retried.
    assert _calls(emulator_backend, "ListEmailIdentities") == 2


def test_a_region_down_does_not_stop_the_others(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    emulator_backend.add("eu-west-1", "ops@example.com")
    emulator_backend.region_fault("eu-west-1", down="5xx")
    up, down = region_for(emulator_backend), region_for(emulator_backend, "eu-west-1")

    assert sync_region(up, trigger="test").status == SyncRun.Status.SUCCEEDED
    failed = sync_region(down, trigger="test")

    assert failed.status == SyncRun.Status.FAILED
    assert "ServiceUnavailable" in failed.error
    assert _ri(up, "ops@example.com").present is True
    assert not RegionalIdentity.objects.filter(region=down).exists()


def test_a_sync_over_its_call_budget_leaves_detail_reads_for_the_next_ones(
    emulator_backend, monkeypatch
):
    from identities.sync import run as sync

    names = [f"d{i}.example.com" for i in range(6)]
    emulator_backend.add("us-east-1", *names)
    region = region_for(emulator_backend)
    # GetAccount + ListMultiRegionEndpoints + list + 1 token batch + 1 MAIL FROM batch + 2
    # detail reads.
    monkeypatch.setattr(sync, "call_budget", lambda: 7)

    first = sync_region(region, trigger="test")

    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    assert first.calls == 7
    assert (
        RegionalIdentity.objects.filter(region=region, details_synced_at__isnull=False).count() == 2
    )
    for _ in range(3):
        sync_region(region, trigger="test")
    assert not RegionalIdentity.objects.filter(
        region=region, details_synced_at__isnull=True
    ).exists()
