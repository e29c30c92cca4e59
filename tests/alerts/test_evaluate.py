"""Conditions -> problems -> alerts, with a controlled clock (`now` passed in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import conditions
from alerts.conditions import regional_chunks
from alerts.evaluate import evaluate_identities, evaluate_region, on_events
from alerts.models import Alert, Kind, Problem
from identities.models import DnsCheck
from regions.events import build_event
from regions.models import Event
from tests.factories import (
    DnsCheckFactory,
    RegionalIdentityFactory,
    RegionFactory,
    SyncRunFactory,
)

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


def _alerts(**filters):
    return list(Alert.objects.filter(**filters).order_by("id").values_list("state", "kind"))


def _failed_address(**kw):
    kw.setdefault("identity__name", "a@example.com")
    return RegionalIdentityFactory(
        verification_status="FAILED",
        verified_for_sending=False,
        blocking=True,
        **kw,
    )


def test_a_blocked_identity_fires_once_and_an_unchanged_problem_is_no_news():
    ri = _failed_address()
    first = evaluate_identities(ri.region, ["a@example.com"], now=T0)
    again = evaluate_identities(ri.region, ["a@example.com"], now=T0 + timedelta(minutes=5))

    assert {(a.state, a.kind) for a in first} == {
        ("firing", Kind.IDENTITY_BLOCKED),
        ("firing", Kind.VERIFICATION_FAILED),
    }
    blocked = next(a for a in first if a.kind == Kind.IDENTITY_BLOCKED)
    assert blocked.severity == "critical"
    assert "a@example.com cannot send in" in blocked.text
    assert blocked.link == f"/identities/{ri.identity_id}/"
    assert again == []
    assert Problem.objects.filter(resolved_at__isnull=True).count() == 2


def test_recovery_resolves_the_problem_with_a_resolved_alert():
    ri = _failed_address()
    evaluate_identities(ri.region, ["a@example.com"], now=T0)
    ri.verification_status, ri.verified_for_sending, ri.blocking = "SUCCESS", True, False
    ri.save()

    cleared = evaluate_identities(ri.region, ["a@example.com"], now=T0 + timedelta(hours=1))

    assert {(a.state, a.kind) for a in cleared} == {
        ("resolved", Kind.IDENTITY_BLOCKED),
        ("resolved", Kind.VERIFICATION_FAILED),
    }
    blocked = next(a for a in cleared if a.kind == Kind.IDENTITY_BLOCKED)
    assert blocked.text == f"a@example.com is no longer blocked in {ri.region}."
    assert not Problem.objects.filter(resolved_at__isnull=True).exists()


def test_a_dns_record_gone_while_ses_says_verified_warns_of_revocation():
    check = DnsCheckFactory(
        regional_identity__identity__name="example.com",
        regional_identity__dkim_status="SUCCESS",
        name="tok1._domainkey.example.com",
        severity=DnsCheck.Severity.BLOCKING,
        verdict=DnsCheck.Verdict.MISSING,
    )
    ri = check.regional_identity

    alerts = evaluate_identities(ri.region, ["example.com"], now=T0)

    revocation = [a for a in alerts if a.kind == Kind.DNS_REVOCATION]
    assert len(revocation) == 1
    assert "CNAME tok1._domainkey.example.com" in revocation[0].text
    assert "72 h" in revocation[0].text
    assert revocation[0].link.endswith("#dns")


def test_dkim_going_from_temporary_failure_to_failed_is_a_change():
    ri = RegionalIdentityFactory(identity__name="example.com", dkim_status="TEMPORARY_FAILURE")
    first = evaluate_identities(ri.region, None, now=T0)
    ri.dkim_status = "FAILED"
    ri.save()
    second = evaluate_identities(ri.region, None, now=T0 + timedelta(minutes=1))

    assert [(a.state, a.severity) for a in first if a.kind == Kind.DKIM_FAILURE] == [
        ("firing", "warning")
    ]
    assert [(a.state, a.severity) for a in second if a.kind == Kind.DKIM_FAILURE] == [
        ("changed", "critical")
    ]


def test_mail_from_failure_fires():
    ri = RegionalIdentityFactory(
        identity__name="example.com", mail_from_domain="mail.example.com", mail_from_status="FAILED"
    )
    alerts = evaluate_identities(ri.region, ["example.com"], now=T0)
    assert [a.text for a in alerts if a.kind == Kind.MAIL_FROM_FAILURE] == [
        f"MAIL FROM mail.example.com of example.com is FAILED in {ri.region}."
    ]


def test_a_domain_change_re_reads_the_addresses_under_it():
    ri = _failed_address()
    alerts = evaluate_identities(ri.region, ["example.com"], now=T0)
    assert {a.identity_name for a in alerts} == {"a@example.com"}


def test_enforcement_probation_then_shutdown_then_healthy():
    region = RegionFactory(enforcement_status="PROBATION")
    first = evaluate_region(region, now=T0)
    region.enforcement_status = "SHUTDOWN"
    second = evaluate_region(region, now=T0 + timedelta(minutes=1))
    region.enforcement_status = "HEALTHY"
    third = evaluate_region(region, now=T0 + timedelta(minutes=2))

    assert [(a.state, a.severity) for a in first] == [("firing", "warning")]
    assert [(a.state, a.severity) for a in second] == [("changed", "critical")]
    assert [a.state for a in third] == ["resolved"]
    assert "probation" in first[0].text


def test_sending_paused_and_quota_at_80_percent():
    region = RegionFactory(sending_enabled=False, max_24_hour_send=1000, sent_last_24_hours=800)
    alerts = evaluate_region(region, now=T0)
    assert {a.kind: a.severity for a in alerts} == {
        Kind.SENDING_PAUSED: "critical",
        Kind.QUOTA: "warning",
    }
    quota = next(a for a in alerts if a.kind == Kind.QUOTA)
    assert "80% of its 24-hour quota" in quota.text


def test_quota_under_80_percent_or_unlimited_is_quiet():
    assert (
        evaluate_region(RegionFactory(max_24_hour_send=1000, sent_last_24_hours=799), now=T0) == []
    )
    assert (
        evaluate_region(
            RegionFactory(code="eu-west-1", max_24_hour_send=-1, sent_last_24_hours=10**6), now=T0
        )
        == []
    )


def test_sync_failing_fires_only_after_the_threshold(settings):
    settings.SESOPS_ALERT_SYNC_FAILING_AFTER = 600
    settings.SESOPS_STALE_AFTER = 10**6
    region = RegionFactory(
        last_success_at=T0 - timedelta(minutes=1),
        last_sync_error="EndpointConnectionError: down",
        last_sync_error_at=T0,
    )
    SyncRunFactory(region=region, status="failed", started_at=T0)

    assert evaluate_region(region, now=T0 + timedelta(minutes=9)) == []
    late = evaluate_region(region, now=T0 + timedelta(minutes=10))

    assert [a.kind for a in late] == [Kind.SYNC_FAILING]
    assert "failing for 10 min: EndpointConnectionError: down" in late[0].text


def test_stale_region_fires_after_stale_after(settings):
    settings.SESOPS_STALE_AFTER = 900
    region = RegionFactory(last_success_at=T0)
    assert evaluate_region(region, now=T0 + timedelta(seconds=900)) == []
    assert [a.kind for a in evaluate_region(region, now=T0 + timedelta(seconds=901))] == [
        Kind.REGION_STALE
    ]


def test_hidden_regions_and_inactive_accounts_resolve_and_stay_quiet():
    region = RegionFactory(sending_enabled=False)
    evaluate_region(region, now=T0)
    region.hidden = True
    assert [a.state for a in evaluate_region(region, now=T0)] == ["resolved"]


def test_events_of_a_review_decision_make_a_notice():
    region = RegionFactory()
    event = build_event(
        kind=Event.Kind.ACCOUNT,
        region=region,
        subject="review_status",
        before="PENDING",
        after="GRANTED",
        actor_name="sync",
    )
    event.save()
    on_events([event])
    assert _alerts(kind=Kind.REVIEW_DECIDED) == [("notice", Kind.REVIEW_DECIDED)]
    notice = Alert.objects.get(kind=Kind.REVIEW_DECIDED)
    assert notice.link == f"/regions/{region.pk}/production-access/"


def test_status_events_evaluate_the_named_identities():
    ri = _failed_address()
    event = build_event(
        kind=Event.Kind.STATUS,
        region=ri.region,
        identity_name="a@example.com",
        subject="verification_status",
        before="PENDING",
        after="FAILED",
    )
    event.save()
    on_events([event])
    assert ("firing", Kind.IDENTITY_BLOCKED) in _alerts()


def test_a_fault_in_alerts_leaves_the_writer_alone(monkeypatch):
    region = RegionFactory(sending_enabled=False)
    event = build_event(kind=Event.Kind.ACCOUNT, region=region, subject="sending_enabled")
    event.save()

    def broken(*a, **k):
        raise RuntimeError("bug")

    monkeypatch.setattr("alerts.evaluate.evaluate_region", broken)
    on_events([event])  # logged, not raised
    assert Event.objects.filter(pk=event.pk).exists()
    assert not Alert.objects.exists()


def test_a_domain_change_resolves_an_address_under_it_that_recovered():
    ri = _failed_address()
    evaluate_identities(ri.region, ["a@example.com"], now=T0)
    ri.verification_status, ri.verified_for_sending, ri.blocking = "SUCCESS", True, False
    ri.save()
    cleared = evaluate_identities(ri.region, ["example.com"], now=T0 + timedelta(minutes=1))
    assert {a.state for a in cleared} == {"resolved"}
    assert not Problem.objects.filter(resolved_at__isnull=True).exists()


def test_healthy_rows_are_not_loaded():
    region = RegionFactory()
    for n in range(30):
        RegionalIdentityFactory(
            region=region,
            identity__account=region.account,
            identity__name=f"ok{n}@example.com",
            blocking=False,
        )
    sick = _failed_address(region=region, identity__account=region.account)
    assert [ri for chunk in regional_chunks(region, None) for ri in chunk] == [sick]


def test_rows_are_read_a_chunk_at_a_time_and_share_the_callers_region(monkeypatch):
    monkeypatch.setattr(conditions, "_CHUNK", 2)
    region = RegionFactory()
    sick = [
        _failed_address(region=region, identity__account=region.account, identity__name=n)
        for n in ("a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@x.org")
    ]

    chunks = list(regional_chunks(region, None))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [ri for chunk in chunks for ri in chunk] == sick
    assert all(ri.region is region for chunk in chunks for ri in chunk)
