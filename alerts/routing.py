"""Alerts -> deliveries (the outbox): which channels want an alert, by their rules.

Called in the transaction that wrote the alerts, so an alert and its outbox rows commit
together or not at all. Workers are told on commit; the sweep finds anything they missed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction

from alerts.models import SEVERITY_RANK, Alert, Delivery, Rule
from regions.models import Region

log = logging.getLogger(__name__)


def rule_matches(rule: Rule, alert: Alert, *, account_ids: set[int], region_code: str) -> bool:
    if rule.kinds and alert.kind not in rule.kinds:
        return False
    if account_ids and alert.account_id not in account_ids:
        return False
    if rule.regions and region_code not in rule.regions:
        return False
    if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[rule.min_severity]:
        return False
    return alert.state != Alert.State.RESOLVED or rule.send_resolved


def _rules() -> list[tuple[Rule, set[int]]]:
    rules = (
        Rule.objects.filter(enabled=True, channel__enabled=True)
        .select_related("channel")
        .prefetch_related("accounts")
        .order_by("channel_id", "id")
    )
    return [(r, {a.pk for a in r.accounts.all()}) for r in rules]


def _told_channels(alerts: Sequence[Alert]) -> dict[int, set[int]]:
    """problem id -> channels that already got an alert of it (a "resolved" goes only there)."""
    problems = {a.problem_id for a in alerts if a.state == Alert.State.RESOLVED and a.problem_id}
    if not problems:
        return {}
    rows = Delivery.alerts.through.objects.filter(alert__problem_id__in=problems).values_list(
        "alert__problem_id", "delivery__channel_id"
    )
    out: dict[int, set[int]] = defaultdict(set)
    for problem_id, channel_id in rows:
        out[problem_id].add(channel_id)
    return out


def route(
    alerts: Sequence[Alert], *, now: datetime, channels: Iterable[int] | None = None
) -> list[Delivery]:
    """Write the outbox rows for these (saved) alerts; `channels` limits where they may go."""
    if not alerts:
        return []
    allowed = set(channels) if channels is not None else None
    rules = [(r, accts) for r, accts in _rules() if allowed is None or r.channel_id in allowed]
    if not rules:
        return []
    codes = dict(
        Region.objects.filter(pk__in={a.region_id for a in alerts if a.region_id}).values_list(
            "pk", "code"
        )
    )
    told = _told_channels(alerts)
    immediate: list[tuple[Delivery, Alert]] = []
    digests: dict[tuple[int, int], list[Alert]] = defaultdict(list)
    for alert in alerts:
        done: set[int] = set()
        for rule, account_ids in rules:
            if rule.channel_id in done:
                continue  # one message per channel: the first matching rule decides how
            if alert.state == Alert.State.RESOLVED and rule.channel_id not in told.get(
                alert.problem_id, set()
            ):
                continue
            region_code = codes.get(alert.region_id, "")
            if not rule_matches(rule, alert, account_ids=account_ids, region_code=region_code):
                continue
            done.add(rule.channel_id)
            if rule.digest_minutes:
                digests[(rule.channel_id, rule.pk)].append(alert)
            else:
                immediate.append(
                    (
                        Delivery(channel_id=rule.channel_id, rule=rule, created_at=now, due_at=now),
                        alert,
                    )
                )
    written = Delivery.objects.bulk_create([d for d, _ in immediate])
    Delivery.alerts.through.objects.bulk_create(
        [Delivery.alerts.through(delivery_id=d.pk, alert_id=a.pk) for d, a in immediate]
    )
    minutes = {r.pk: r.digest_minutes for r, _ in rules}
    for (channel_id, rule_id), items in digests.items():
        _add_to_digest(channel_id, rule_id, items, now, minutes[rule_id])
    enqueue_on_commit([d.pk for d in written])
    return written


def _add_to_digest(
    channel_id: int, rule_id: int, alerts: Sequence[Alert], now: datetime, minutes: int
) -> None:
    """Put alerts into the rule's open digest (one per channel and rule), opening one that
    is sealed `minutes` from now (the sweep seals and sends it)."""
    digest = (
        Delivery.objects.select_for_update()
        .filter(channel_id=channel_id, rule_id=rule_id, status=Delivery.Status.COLLECTING)
        .first()
    )
    if digest is None:
        digest = Delivery.objects.create(
            channel_id=channel_id,
            rule_id=rule_id,
            status=Delivery.Status.COLLECTING,
            created_at=now,
            due_at=now + timedelta(minutes=minutes),
        )
    digest.alerts.add(*alerts)


def enqueue_on_commit(delivery_ids: Sequence[int]) -> None:
    if not delivery_ids:
        return
    ids = list(delivery_ids)
    transaction.on_commit(lambda: enqueue(ids))


def enqueue(delivery_ids: Iterable[int]) -> None:
    """Tell the workers. A broker that is down loses nothing: the sweep sends the rows."""
    from alerts.tasks import deliver_task

    for pk in delivery_ids:
        try:
            deliver_task.apply_async(args=[pk], retry=False)
        except Exception as exc:  # kombu/redis errors vary by transport
            log.warning("cannot enqueue alert delivery %s (the sweep will): %s", pk, exc)
            return
