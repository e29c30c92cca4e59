"""Rules decide which channel gets what; digests and re-alerts follow a controlled clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.evaluate import evaluate_region
from alerts.models import Alert, Delivery
from alerts.routing import route
from alerts.sweep import requeue, seal_digests, send_reminders
from tests.factories import AwsAccountFactory, RegionFactory, RuleFactory

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: sent.extend(ids))
    return sent


def _alert(region, *, kind="sending_paused", severity="critical", state="firing"):
    return Alert.objects.create(
        kind=kind,
        state=state,
        severity=severity,
        text="t",
        account=region.account,
        region=region,
        created_at=T0,
    )


def test_rules_filter_by_kind_account_region_and_minimum_severity():
    prod = RegionFactory(account=AwsAccountFactory(label="prod"), code="eu-west-1")
    staging = RegionFactory(account=AwsAccountFactory(label="staging"), code="us-east-1")
    everything = RuleFactory(min_severity="info")
    critical_prod = RuleFactory(min_severity="critical")
    critical_prod.accounts.add(prod.account)
    quota_eu = RuleFactory(kinds=["quota"], regions=["eu-west-1"])

    alerts = [
        _alert(prod, kind="sending_paused", severity="critical"),
        _alert(staging, kind="sending_paused", severity="critical"),
        _alert(prod, kind="quota", severity="warning"),
        _alert(staging, kind="quota", severity="warning"),
    ]
    route(alerts, now=T0)

    def got(rule):
        return sorted(
            (a.kind, a.region.account.label)
            for d in Delivery.objects.filter(channel=rule.channel)
            for a in d.alerts.all()
        )

    assert got(everything) == [
        ("quota", "prod"),
        ("quota", "staging"),
        ("sending_paused", "prod"),
        ("sending_paused", "staging"),
    ]
    assert got(critical_prod) == [("sending_paused", "prod")]
    assert got(quota_eu) == [("quota", "prod")]


def test_one_message_per_channel_even_when_two_rules_match(enqueued):
    region = RegionFactory()
    rule = RuleFactory()
    RuleFactory(channel=rule.channel)
    route([_alert(region)], now=T0)
    assert Delivery.objects.filter(channel=rule.channel).count() == 1


def test_outbox_rows_are_handed_to_workers_only_after_commit(
    enqueued, django_capture_on_commit_callbacks
):
    region = RegionFactory()
    RuleFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        route([_alert(region)], now=T0)
    assert enqueued == []
    callbacks[0]()
    assert enqueued == list(Delivery.objects.values_list("pk", flat=True))


def test_resolved_goes_only_to_channels_told_of_the_problem_and_that_want_it():
    region = RegionFactory(sending_enabled=False)
    wants = RuleFactory(send_resolved=True)
    quiet = RuleFactory(send_resolved=False)
    evaluate_region(region, now=T0)
    late = RuleFactory()  # created after the problem fired: never heard of it
    region.sending_enabled = True
    evaluate_region(region, now=T0 + timedelta(minutes=1))

    def states(rule):
        return sorted(
            a.state for d in Delivery.objects.filter(channel=rule.channel) for a in d.alerts.all()
        )

    assert states(wants) == ["firing", "resolved"]
    assert states(quiet) == ["firing"]
    assert states(late) == []


def test_a_digest_collects_for_n_minutes_then_goes_as_one_message(enqueued):
    region = RegionFactory()
    rule = RuleFactory(digest_minutes=10)
    route([_alert(region)], now=T0)
    route([_alert(region, kind="quota", severity="warning")], now=T0 + timedelta(minutes=3))

    (digest,) = Delivery.objects.filter(channel=rule.channel)
    assert digest.status == "collecting"
    assert seal_digests(now=T0 + timedelta(minutes=9, seconds=59)) == 0
    assert enqueued == []

    assert seal_digests(now=T0 + timedelta(minutes=10)) == 1
    digest.refresh_from_db()
    assert digest.status == "pending"
    assert digest.alerts.count() == 2
    # An alert after the seal opens the next digest.
    route([_alert(region)], now=T0 + timedelta(minutes=11))
    assert Delivery.objects.filter(channel=rule.channel, status="collecting").count() == 1


def test_an_unchanged_open_problem_is_repeated_only_after_the_realert_interval(settings):
    settings.SESOPS_STALE_AFTER = 10**6
    region = RegionFactory(sending_enabled=False)
    rule = RuleFactory(realert_minutes=60)
    evaluate_region(region, now=T0)
    # Nothing changes, the sweep runs every minute: no repeat within the hour.
    for minute in (1, 30, 59):
        evaluate_region(region, now=T0 + timedelta(minutes=minute))
        assert send_reminders(now=T0 + timedelta(minutes=minute)) == []

    (reminder,) = send_reminders(now=T0 + timedelta(minutes=60))
    assert reminder.state == "reminder"
    assert send_reminders(now=T0 + timedelta(minutes=61)) == []
    assert len(send_reminders(now=T0 + timedelta(minutes=120))) == 1
    states = sorted(
        a.state for d in Delivery.objects.filter(channel=rule.channel) for a in d.alerts.all()
    )
    assert states == ["firing", "reminder", "reminder"]


def test_no_realert_interval_means_no_repeat():
    region = RegionFactory(sending_enabled=False)
    RuleFactory(realert_minutes=0)
    evaluate_region(region, now=T0)
    assert send_reminders(now=T0 + timedelta(days=7)) == []


def test_requeue_hands_back_rows_whose_worker_died_and_rows_due_for_retry(enqueued):
    region = RegionFactory()
    RuleFactory()
    (fresh,) = route([_alert(region)], now=T0)
    (dead,) = route([_alert(region)], now=T0)
    Delivery.objects.filter(pk=dead.pk).update(
        status="sending", lease_until=T0 + timedelta(seconds=30)
    )
    enqueued.clear()
    assert requeue(now=T0 + timedelta(seconds=5)) == 0  # fresh: just handed over on commit
    assert requeue(now=T0 + timedelta(seconds=31)) == 2
    assert sorted(enqueued) == sorted([fresh.pk, dead.pk])


def test_the_sweep_reads_time_based_conditions_and_sends_what_is_due(settings, enqueued):
    from alerts.sweep import sweep

    settings.SESOPS_STALE_AFTER = 600
    region = RegionFactory(last_success_at=T0)
    RegionFactory(code="eu-west-1", account=region.account, hidden=True, last_success_at=T0)
    rule = RuleFactory(realert_minutes=30)

    assert sweep(now=T0 + timedelta(minutes=5))["regions"] == 2
    assert not Delivery.objects.exists()
    figures = sweep(now=T0 + timedelta(minutes=11))  # stale now; the hidden region stays quiet
    (delivery,) = Delivery.objects.filter(channel=rule.channel)
    assert [a.kind for a in delivery.alerts.all()] == ["region_stale"]
    assert figures["reminders"] == 0
    enqueued.clear()
    figures = sweep(now=T0 + timedelta(minutes=42))
    assert figures["reminders"] == 1
    # The first row was never sent (no worker here); the reminder was just handed over.
    assert figures["requeued"] == 1
