"""Conditions -> problems -> alerts. Writes only alerts' own tables, in the caller's
transaction (the sync's or the probe's, through regions/events.py, or the sweep's).

A new condition opens a problem and fires an alert; a different fingerprint on an open
problem is a change (alert again); the same fingerprint is no news; a problem whose
condition is gone is resolved. Each alert is routed to the channels whose rules want it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alerts import routing
from alerts.conditions import (
    Condition,
    identity_conditions,
    region_conditions,
    region_key,
    regional_chunks,
)
from alerts.models import Alert, Kind, Problem, Severity
from regions.models import Event, Region

log = logging.getLogger(__name__)

REGION_KINDS = (
    Kind.ENFORCEMENT,
    Kind.SENDING_PAUSED,
    Kind.QUOTA,
    Kind.SYNC_FAILING,
    Kind.REGION_STALE,
)
IDENTITY_KINDS = (
    Kind.IDENTITY_BLOCKED,
    Kind.DNS_REVOCATION,
    Kind.DKIM_FAILURE,
    Kind.MAIL_FROM_FAILURE,
    Kind.VERIFICATION_FAILED,
)
RESOLVED_TEXT = {
    Kind.IDENTITY_BLOCKED: "{who} is no longer blocked in {where}.",
    Kind.DNS_REVOCATION: "The DNS records of {who} are back in {where}.",
    Kind.DKIM_FAILURE: "DKIM of {who} no longer fails in {where}.",
    Kind.MAIL_FROM_FAILURE: "MAIL FROM of {who} no longer fails in {where}.",
    Kind.VERIFICATION_FAILED: "Verification of {who} no longer failed in {where}.",
    Kind.ENFORCEMENT: "{where} is off probation / shutdown.",
    Kind.SENDING_PAUSED: "Sending is enabled again in {where}.",
    Kind.QUOTA: "{where} is back under its quota threshold.",
    Kind.SYNC_FAILING: "The sync of {where} works again.",
    Kind.REGION_STALE: "The data of {where} is fresh again.",
}


def _alert(problem: Problem, state: str, now: datetime, text: str | None = None) -> Alert:
    return Alert(
        problem=problem,
        kind=problem.kind,
        state=state,
        severity=problem.severity,
        text=(text or problem.text)[:500],
        link=problem.link,
        account_id=problem.account_id,
        region_id=problem.region_id,
        identity_name=problem.identity_name,
        created_at=now,
    )


def _resolved_text(problem: Problem) -> str:
    region = problem.region
    where = f"{region.account.label}/{region.code}" if region else "its region"
    template = RESOLVED_TEXT.get(problem.kind, "Resolved: {text}")
    return template.format(who=problem.identity_name, where=where, text=problem.text)


def reconcile(
    conditions: Sequence[Condition], *, keys: Iterable[str], kinds: Iterable[str], now: datetime
) -> list[Alert]:
    """Bring the open problems of these keys and kinds in line with `conditions`; returns
    the alerts written (already routed)."""
    keys, kinds = set(keys), set(kinds)
    open_rows = Problem.objects.select_for_update(of=("self",)).filter(
        resolved_at__isnull=True, key__in=keys, kind__in=kinds
    )
    open_by = {(p.kind, p.key): p for p in open_rows.select_related("region__account")}
    alerts: list[Alert] = []
    opened: list[Problem] = []
    seen = set()
    for cond in conditions:
        ident = (cond.kind, cond.key)
        seen.add(ident)
        problem = open_by.get(ident)
        if problem is None:
            problem = Problem(
                kind=cond.kind,
                key=cond.key,
                severity=cond.severity,
                fingerprint=cond.fingerprint[:500],
                text=cond.text[:500],
                link=cond.link,
                account_id=cond.account_id,
                region=cond.region,
                identity_name=cond.identity_name,
                opened_at=now,
                changed_at=now,
            )
            opened.append(problem)
            continue
        news = problem.fingerprint != cond.fingerprint[:500]
        if news or problem.text != cond.text[:500]:
            problem.severity, problem.fingerprint = cond.severity, cond.fingerprint[:500]
            problem.text, problem.link = cond.text[:500], cond.link
            if news:
                problem.changed_at = now
            problem.save(update_fields=["severity", "fingerprint", "text", "link", "changed_at"])
        if news:
            alerts.append(_alert(problem, Alert.State.CHANGED, now))
    # One INSERT however many problems a first sync finds.
    for problem in Problem.objects.bulk_create(opened, batch_size=500):
        alerts.append(_alert(problem, Alert.State.FIRING, now))
    for ident, problem in open_by.items():
        if ident not in seen:
            problem.resolved_at = now
            problem.save(update_fields=["resolved_at"])
            alerts.append(_alert(problem, Alert.State.RESOLVED, now, _resolved_text(problem)))
    Alert.objects.bulk_create(alerts, batch_size=500)
    routing.route(alerts, now=now)
    return alerts


def evaluate_region(region: Region, *, now: datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    conditions = region_conditions(region, now) if _watched(region) else []
    return reconcile(conditions, keys=[region_key(region)], kinds=REGION_KINDS, now=now)


def evaluate_identities(
    region: Region, names: Iterable[str] | None, *, now: datetime | None = None
) -> list[Alert]:
    """The identity conditions of these names in the region, and of the addresses under
    these domains (None: every identity of the region)."""
    now = now or timezone.now()
    wanted = None if names is None else set(names)
    conditions = []
    if _watched(region):
        for rows in regional_chunks(region, wanted):
            conditions += identity_conditions(rows)
    # In scope: what holds now, and the open problems of these identities (to resolve).
    open_now = Problem.objects.filter(
        resolved_at__isnull=True, region=region, kind__in=IDENTITY_KINDS
    ).values_list("key", "identity_name")
    keys = {c.key for c in conditions} | {
        key
        for key, name in open_now
        if wanted is None or name in wanted or name.rsplit("@", 1)[-1] in wanted
    }
    return reconcile(conditions, keys=keys, kinds=IDENTITY_KINDS, now=now)


def _watched(region: Region) -> bool:
    return region.account.is_active and not region.hidden


def _review_notice(event: Event, now: datetime) -> Alert | None:
    decided = {"GRANTED": Severity.INFO, "DENIED": Severity.WARNING, "FAILED": Severity.WARNING}
    if event.kind != Event.Kind.ACCOUNT or event.subject != "review_status":
        return None
    if event.after not in decided or event.region is None:
        return None
    region = event.region
    text = f"Production-access review of {region.account.label}/{region.code}: {event.after}."
    if event.after == "GRANTED":
        text += " The region can leave the sandbox."
    else:
        text += " Read the case in the AWS Support Center, then answer or ask again."
    return Alert(
        kind=Kind.REVIEW_DECIDED,
        state=Alert.State.NOTICE,
        severity=decided[event.after],
        text=text,
        link=reverse("production_access", args=[region.pk]),
        account_id=region.account_id,
        region=region,
        created_at=now,
    )


def on_events(events: Sequence[Event]) -> None:
    """The hook regions/events.py calls after writing events, in the writer's transaction.

    It runs in a savepoint: a fault in alerts is logged and leaves the sync's own writes
    alone (the sweep re-reads account-level state; the next change re-reads identities)."""
    try:
        with transaction.atomic():
            _follow(events, timezone.now())
    except Exception:
        log.exception("alerts could not follow %d events", len(events))


def _follow(events: Sequence[Event], now: datetime) -> None:
    names: dict[int, set[str] | None] = defaultdict(set)
    regions: dict[int, Region] = {}
    account_level: set[int] = set()
    notices: list[Alert] = []
    for event in events:
        if event.region_id is None:
            continue
        regions[event.region_id] = event.region
        if event.kind in (Event.Kind.ACCOUNT, Event.Kind.SYNC_ERROR):
            account_level.add(event.region_id)
            notice = _review_notice(event, now)
            if notice:
                notices.append(notice)
        elif event.subject == "first_sync":
            names[event.region_id] = None  # every identity of the region is new
            account_level.add(event.region_id)
        elif event.identity_name and names[event.region_id] is not None:
            names[event.region_id].add(event.identity_name)
    if not regions:
        return
    loaded = Region.objects.select_related("account").in_bulk(list(regions))
    for region_id in sorted(account_level):
        evaluate_region(loaded[region_id], now=now)
    for region_id, wanted in names.items():
        if wanted is None or wanted:
            evaluate_identities(loaded[region_id], wanted, now=now)
    if notices:
        Alert.objects.bulk_create(notices)
        routing.route(notices, now=now)
