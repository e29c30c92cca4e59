"""Sync one account-region from SES: claim, read (identities/sync/fetch.py), write
(identities/sync/apply.py), release. Used by the Celery task and by `manage.py sync_ses`.

- One sync per region at a time: the region is claimed with a conditional UPDATE of
  `Region.sync_lock_until` (only when free or expired), so two workers never sync it
  together; the loser records a `skipped` SyncRun and returns.
- A redelivered task (same Celery task id) that already ran does nothing (`skipped`).
- No transaction is open while SES is called; the writes happen afterwards in one short one.
- Nothing is lost: failed calls keep the last data; identities are marked gone only after a
  complete listing; the region records the error and when it happened.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from identities.sync import apply as sync_apply
from identities.sync.fetch import Snapshot, read_region
from regions import ses
from regions.events import record_event
from regions.models import Event, Region, SyncRun

log = logging.getLogger(__name__)

REGION_FIELDS = [
    "production_access_enabled",
    "sending_enabled",
    "enforcement_status",
    "max_24_hour_send",
    "max_send_rate",
    "sent_last_24_hours",
    "mail_type",
    "website_url",
    "contact_language",
    "use_case_description",
    "additional_contacts",
    "review_status",
    "review_case_id",
    "account_synced_at",
    "account_error",
    "last_sync_finished_at",
    "last_success_at",
    "last_sync_error",
    "last_sync_error_at",
    "changed_at",
]


def call_budget() -> int | None:
    """Calls one sync may make at the paced rate and still end well inside the task's soft
    time limit (None: no pacing, no cap)."""
    rate = settings.SESOPS_SES_RATE
    if rate <= 0:
        return None
    return max(10, int(settings.CELERY_TASK_SOFT_TIME_LIMIT * rate * 0.8))


def lock_seconds() -> int:
    """Longer than a task may live (hard time limit), so an expired lock means a dead sync."""
    return int(settings.CELERY_TASK_TIME_LIMIT) + 60


def claim(region: Region, now: datetime | None = None) -> datetime | None:
    """Take the region's sync lock; return its expiry, or None when another sync holds it."""
    now = now or timezone.now()
    until = now + timedelta(seconds=lock_seconds())
    taken = (
        Region.objects.filter(pk=region.pk)
        .filter(Q(sync_lock_until__isnull=True) | Q(sync_lock_until__lte=now))
        .update(sync_lock_until=until, last_sync_started_at=now)
    )
    return until if taken else None


def release(region: Region, until: datetime) -> None:
    # Only our own claim: if it expired and someone else took it, leave theirs alone.
    Region.objects.filter(pk=region.pk, sync_lock_until=until).update(sync_lock_until=None)


def _skipped(region: Region, trigger: str, task_id: str, reason: str) -> SyncRun:
    now = timezone.now()
    log.info("sync of %s skipped: %s", region, reason)
    return SyncRun.objects.create(
        region=region,
        kind=SyncRun.Kind.SES,
        status=SyncRun.Status.SKIPPED,
        trigger=trigger[:32],
        task_id=task_id,
        started_at=now,
        finished_at=now,
        error=reason,
    )


def sync_region(region: Region, *, trigger: str, task_id: str = "") -> SyncRun:
    """Sync one account-region now, in this thread. Returns the SyncRun (maybe `skipped`)."""
    if (
        task_id
        and SyncRun.objects.filter(task_id=task_id).exclude(status=SyncRun.Status.SKIPPED).exists()
    ):
        return _skipped(region, trigger, task_id, f"task {task_id} was already run (redelivery)")
    until = claim(region)
    if until is None:
        holder = Region.objects.filter(pk=region.pk).values_list("sync_lock_until", flat=True)
        return _skipped(
            region,
            trigger,
            task_id,
            f"another sync of this region is running (lock held until {holder.first():%H:%M:%S})",
        )
    # Holding the lock, any run still "running" here belongs to a worker that died (its lock
    # expired): close it so the UI stops showing it as in progress.
    SyncRun.objects.filter(
        region=region, kind=SyncRun.Kind.SES, status=SyncRun.Status.RUNNING
    ).update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        error="the worker running this sync stopped before finishing (lock expired)",
    )
    run = SyncRun.objects.create(
        region=region, kind=SyncRun.Kind.SES, trigger=trigger[:32], task_id=task_id
    )
    started = time.monotonic()
    try:
        _run(region, run)
    except BaseException as exc:
        # Soft time limit, a bug, a database error: the run says so and the lock is freed.
        run.status = SyncRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at", "calls", "throttled"])
        Region.objects.filter(pk=region.pk).update(
            last_sync_error=run.error,
            last_sync_error_at=run.finished_at,
            last_sync_finished_at=run.finished_at,
        )
        raise
    finally:
        release(region, until)
        log.info(
            "sync of %s: %s, %d identities, %d changes, %d calls, %.1fs",
            region,
            run.status,
            run.identities,
            run.changes,
            run.calls,
            time.monotonic() - started,
        )
    return run


def _client(region: Region) -> tuple[ses.SesClient | None, str]:
    try:
        return ses.client_for(region.account, region.code), ""
    except ses.SesError as exc:
        return None, str(exc)
    except Exception as exc:  # boto3 session errors (bad profile, bad role config)
        return None, f"cannot build an SES client: {exc}"


def _run(region: Region, run: SyncRun) -> None:
    region.refresh_from_db()
    client, client_error = _client(region)
    rows = sync_apply.load_rows(region)  # the lock is ours: nobody else writes them meanwhile
    if client is None:
        snap = Snapshot(listing_error=client_error, errors=[client_error], permanent_error=True)
        snap.account_error = client_error
    else:
        stored = sync_apply.stored_view(rows)
        snap = read_region(client, stored, budget=call_budget())
    # Counted before writing: a run that fails in the database still says what it spent.
    run.calls = client.calls if client else 0
    run.throttled = client.throttled if client else 0
    now = timezone.now()
    error = "; ".join(snap.errors)[:4000]
    previous_error = region.last_sync_error
    with transaction.atomic():
        result, _ = sync_apply.apply_snapshot(region, snap, now, rows)
        region.last_sync_finished_at = now
        if error:
            region.last_sync_error = error
            region.last_sync_error_at = now
        else:
            region.last_sync_error = ""
            region.last_success_at = now
        if bool(error) != bool(previous_error):
            region.changed_at = now  # the stale badge appears or goes
        region.save(update_fields=REGION_FIELDS)
        if error and error != previous_error:
            record_event(
                kind=Event.Kind.SYNC_ERROR,
                actor_name=sync_apply.ACTOR,
                region=region,
                subject="sync",
                result=Event.Result.ERROR,
                message=error,
            )
        elif previous_error and not error:
            record_event(
                kind=Event.Kind.SYNC_ERROR,
                actor_name=sync_apply.ACTOR,
                region=region,
                subject="sync",
                result=Event.Result.OK,
                message="Sync works again.",
            )
        run.identities = result.identities
        run.changes = result.changes
        # Values SES sent that cannot be stored are named in the run, not held against the
        # region: everything else was written, so its data is not stale.
        account_error = f"GetAccount: {snap.account_error}" if snap.account_error else ""
        run.error = "; ".join(filter(None, [error or account_error, *result.problems]))[:4000]
        if snap.listing is None:
            run.status = SyncRun.Status.FAILED
        elif error or snap.account_error or result.problems:
            run.status = SyncRun.Status.PARTIAL
        else:
            run.status = SyncRun.Status.SUCCEEDED
        run.finished_at = now
        run.save()
