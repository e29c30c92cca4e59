"""The periodic pass (Celery beat): what no event announces.

- outbox rows that nobody is sending (the worker died, the broker lost the task, a retry
  is due) go back to the workers; digests whose window closed are sealed and sent;
- account-level conditions that depend on time or on figures that change silently (a
  sync failing for longer than the threshold, stale data, quota use) are re-read;
- open problems are repeated on channels whose rule asks for a re-alert interval.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from alerts import routing
from alerts.evaluate import evaluate_region
from alerts.models import Alert, Delivery, Problem, Rule
from regions.models import Region

GRACE = timedelta(seconds=10)  # rows this young were just handed to a worker on commit


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    figures = {"regions": 0}
    # Hidden regions and inactive accounts too: their open problems resolve (and stay quiet).
    for region in Region.objects.select_related("account"):
        with transaction.atomic():
            evaluate_region(region, now=now)
        figures["regions"] += 1
    with transaction.atomic():
        figures["reminders"] = len(send_reminders(now=now))
    with transaction.atomic():
        figures["digests"] = seal_digests(now=now)
    figures["requeued"] = requeue(now=now)
    return figures


def seal_digests(*, now: datetime) -> int:
    due = list(
        Delivery.objects.filter(status=Delivery.Status.COLLECTING, due_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    sealed = Delivery.objects.filter(pk__in=due, status=Delivery.Status.COLLECTING).update(
        status=Delivery.Status.PENDING, due_at=now
    )
    routing.enqueue_on_commit(due)
    return sealed


def requeue(*, now: datetime) -> int:
    """Hand rows nobody is sending to the workers (the claim keeps it to one sender)."""
    ids = list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, due_at__lte=now - GRACE)
            | Q(status=Delivery.Status.SENDING, lease_until__lte=now)
        ).values_list("pk", flat=True)[:1000]
    )
    routing.enqueue(ids)
    return len(ids)


def send_reminders(*, now: datetime) -> list[Alert]:
    """An open, unchanged problem is repeated on a channel once its rule's re-alert
    interval has passed since that channel last heard of it."""
    rules = list(
        Rule.objects.filter(enabled=True, channel__enabled=True, realert_minutes__gt=0)
        .prefetch_related("accounts")
        .select_related("channel")
    )
    if not rules:
        return []
    problems = list(Problem.objects.filter(resolved_at__isnull=True).select_related("region"))
    last: dict[tuple[int, int], datetime] = {
        (p, c): at
        for p, c, at in Delivery.alerts.through.objects.filter(
            alert__problem__resolved_at__isnull=True
        )
        .values_list("alert__problem_id", "delivery__channel_id")
        .annotate(at=Max("alert__created_at"))
        .values_list("alert__problem_id", "delivery__channel_id", "at")
    }
    due: dict[int, set[int]] = defaultdict(set)
    by_id = {p.pk: p for p in problems}
    for problem in problems:
        probe = Alert(
            kind=problem.kind,
            state=Alert.State.REMINDER,
            severity=problem.severity,
            account_id=problem.account_id,
        )
        code = problem.region.code if problem.region else ""
        for rule in rules:
            accounts = {a.pk for a in rule.accounts.all()}
            if not routing.rule_matches(rule, probe, account_ids=accounts, region_code=code):
                continue
            since = last.get((problem.pk, rule.channel_id), problem.changed_at)
            if now - since >= timedelta(minutes=rule.realert_minutes):
                due[problem.pk].add(rule.channel_id)
    alerts: list[Alert] = []
    for problem_id, channels in due.items():
        problem = by_id[problem_id]
        alert = Alert(
            problem=problem,
            kind=problem.kind,
            state=Alert.State.REMINDER,
            severity=problem.severity,
            text=problem.text,
            link=problem.link,
            account_id=problem.account_id,
            region_id=problem.region_id,
            identity_name=problem.identity_name,
            created_at=now,
        )
        alert.save()
        routing.route([alert], now=now, channels=channels)
        alerts.append(alert)
    return alerts
