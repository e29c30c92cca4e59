"""The SyncRun a sync works under: starting one (the lease, then the run the pages follow),
skipping, failing. identities/sync/run.py drives them; docs/sync-concurrency.md the why."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from identities.sync import lease
from regions.models import Region, SyncRun

log = logging.getLogger(__name__)

DEAD_WORKER = "the worker running this sync stopped before finishing (its lease lapsed)"


@dataclass
class Started:
    run: SyncRun
    lease: lease.Lease | None  # None: nothing to do, `run` says why


def skipped(region: Region, trigger: str, task_id: str, reason: str) -> SyncRun:
    now = timezone.now()
    log.info("sync of %s skipped: %s", region, reason)
    return _new(
        region, SyncRun.Status.SKIPPED, trigger, task_id, now, finished_at=now, error=reason
    )


def _new(region: Region, status: str, trigger: str, task_id: str, now, **more) -> SyncRun:
    """A new SES SyncRun of `region`, started now."""
    return SyncRun.objects.create(
        region=region,
        kind=SyncRun.Kind.SES,
        status=status,
        trigger=trigger[:32],
        task_id=task_id,
        started_at=now,
        **more,
    )


def _busy_reason(region: Region) -> str:
    until = lease.holder_until(region.pk)
    held = f" (lease held until {until:%H:%M:%S})" if until else ""
    return f"another sync of this region is running{held}"


def start(region: Region, *, trigger: str, task_id: str = "", run_id: int | None = None) -> Started:
    """Take the region's lease and the run to report under: the queued run `run_id` (or one
    queued meanwhile), else a new one. Without the lease nothing is synced."""
    if run_id is not None:
        requested = SyncRun.objects.filter(pk=run_id).first()
        if requested is None:
            return Started(skipped(region, trigger, task_id, "its queued run is gone"), None)
        if requested.status != SyncRun.Status.QUEUED:
            return Started(requested, None)  # served already (redelivery, or the command)
    elif task_id and (
        SyncRun.objects.filter(task_id=task_id).exclude(status=SyncRun.Status.SKIPPED).exists()
    ):
        return Started(
            skipped(region, trigger, task_id, f"task {task_id} was already run (redelivery)"),
            None,
        )
    held = lease.claim(region)
    if held is None:
        reason = _busy_reason(region)
        if run_id is None:
            return Started(skipped(region, trigger, task_id, reason), None)
        SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.SKIPPED, finished_at=timezone.now(), error=reason
        )
        return Started(SyncRun.objects.get(pk=run_id), None)
    return Started(_running(region, trigger=trigger, task_id=task_id, run_id=run_id), held)


def _running(region: Region, *, trigger: str, task_id: str, run_id: int | None) -> SyncRun:
    now = timezone.now()
    ses_runs = SyncRun.objects.filter(region=region, kind=SyncRun.Kind.SES)
    # The lease is ours: a run still "running" belongs to a worker that died.
    ses_runs.filter(status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, finished_at=now, error=DEAD_WORKER
    )
    for _ in range(2):
        queued = ses_runs.filter(status=SyncRun.Status.QUEUED).order_by("pk").first()
        if queued is not None:  # ours, or queued by "Sync now"/beat since: this sync serves it
            changes = {"status": SyncRun.Status.RUNNING, "started_at": now}
            if task_id:
                changes["task_id"] = task_id
            if SyncRun.objects.filter(pk=queued.pk, status=SyncRun.Status.QUEUED).update(**changes):
                queued.refresh_from_db()
                return queued
            continue
        try:
            with transaction.atomic():
                return _new(region, SyncRun.Status.RUNNING, trigger, task_id, now)
        except IntegrityError:
            continue  # a request queued a run just now: the loop takes it
    raise RuntimeError(f"no run could be started for {region}")


def fail(region: Region, run: SyncRun, exc: BaseException, *, region_error: bool = True) -> None:
    """The run says what stopped it; the region too unless another sync has taken it over."""
    run.status = SyncRun.Status.FAILED
    run.error = f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "calls", "throttled"])
    if region_error:
        Region.objects.filter(pk=region.pk).update(
            last_sync_error=run.error,
            last_sync_error_at=run.finished_at,
            last_sync_finished_at=run.finished_at,
        )
