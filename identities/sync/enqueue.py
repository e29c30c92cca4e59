"""Queue a region's sync at most once: "Sync now" and beat's fan-out.

`request_sync` creates the region's `queued` SyncRun, which the task turns into `running`
when it takes the lease (identities/sync/runs.py). A partial unique constraint allows one
queued-or-running SES run per region, so a region with a sync queued or running is not
queued again: the caller gets the run that is already on its way (30 clicks in a second
queue one sync). A queued run whose task never came (a flushed broker) stops counting after
two sync intervals; a running run whose lease lapsed (a dead worker) is closed here. A task
that gives up (its retries spent: the database refused it five times) fails its queued run at
once (`task_gave_up`), so "Sync now" works again as soon as the database does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from identities.sync.runs import DEAD_WORKER
from regions.models import Region, SyncRun

GAVE_UP = "its task gave up before the sync started"
LOST_TASK = "its task never started (lost by the task queue?); a new sync was queued"
UNREACHABLE = "the task queue is unreachable: the sync was not queued"


@dataclass(frozen=True)
class SyncRequest:
    run: SyncRun | None  # the run queued now, or the one already queued or running
    queued: bool  # this call queued a sync (and its task is published)
    message: str  # for the user: what happened

    @property
    def already(self) -> bool:
        return not self.queued and self.run is not None and self.run.status in SyncRun.ACTIVE


def queued_ttl() -> timedelta:
    return timedelta(seconds=2 * settings.SESOPS_SYNC_INTERVAL)


def _abandoned(run: SyncRun, lease_until: datetime | None, now: datetime) -> str:
    if run.status == SyncRun.Status.RUNNING and (lease_until is None or lease_until <= now):
        return DEAD_WORKER
    if run.status == SyncRun.Status.QUEUED and run.started_at < now - queued_ttl():
        return LOST_TASK
    return ""


def _active(region_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(
        region_id=region_id, kind=SyncRun.Kind.SES, status__in=SyncRun.ACTIVE
    ).first()


def describe(run: SyncRun) -> str:
    when = timezone.localtime(run.started_at)
    if run.status == SyncRun.Status.RUNNING:
        return f"a sync is already running (since {when:%H:%M:%S})"
    return f"a sync is already queued (since {when:%H:%M:%S})"


def request_sync(region: Region, *, trigger: str) -> SyncRequest:
    """The region's queued run: created now, or the one already queued or running."""
    now = timezone.now()
    try:
        with transaction.atomic():
            # The region row lock serialises two requests for one region (PostgreSQL).
            lease_until = (
                Region.objects.select_for_update()
                .filter(pk=region.pk)
                .values_list("sync_lock_until", flat=True)
                .first()
            )
            active = _active(region.pk)
            reason = _abandoned(active, lease_until, now) if active else ""
            if active is not None and reason:
                SyncRun.objects.filter(pk=active.pk).update(
                    status=SyncRun.Status.FAILED, finished_at=now, error=reason
                )
                active = None
            if active is not None:
                return SyncRequest(active, False, describe(active))
            run = SyncRun.objects.create(
                region_id=region.pk,
                kind=SyncRun.Kind.SES,
                status=SyncRun.Status.QUEUED,
                trigger=trigger[:32],
                started_at=now,
            )
    except IntegrityError:  # another request queued one between our read and our insert
        active = _active(region.pk)
        return SyncRequest(active, False, describe(active) if active else "a sync is queued")
    return SyncRequest(run, True, "sync queued")


def request_syncs(regions: Sequence[Region], *, trigger: str) -> list[SyncRequest]:
    """`request_sync` for many regions at once (beat's fan-out): one transaction, a fixed
    number of queries. One by one, 100 account-regions took 2.5 s, and ~10 s while the
    workers started the first syncs on the same two cores: the last region started that much
    later (docs/sync-concurrency.md). Returns the runs queued now, then those already active."""
    now = timezone.now()
    ids = sorted(r.pk for r in regions)
    try:
        with transaction.atomic():
            leases = dict(
                Region.objects.select_for_update()
                .filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk", "sync_lock_until")
            )
            active = {
                run.region_id: run
                for run in SyncRun.objects.filter(
                    region_id__in=ids, kind=SyncRun.Kind.SES, status__in=SyncRun.ACTIVE
                )
            }
            for region_id, run in list(active.items()):
                reason = _abandoned(run, leases.get(region_id), now)
                if reason:
                    SyncRun.objects.filter(pk=run.pk).update(
                        status=SyncRun.Status.FAILED, finished_at=now, error=reason
                    )
                    del active[region_id]
            new = SyncRun.objects.bulk_create(
                SyncRun(
                    region_id=pk,
                    kind=SyncRun.Kind.SES,
                    status=SyncRun.Status.QUEUED,
                    trigger=trigger[:32],
                    started_at=now,
                )
                for pk in ids
                if pk in leases and pk not in active
            )
    except IntegrityError:  # a region queued meanwhile by a path that took no row lock
        return [request_sync(region, trigger=trigger) for region in regions]
    return [SyncRequest(run, True, "sync queued") for run in new] + [
        SyncRequest(run, False, describe(run)) for run in active.values()
    ]


def withdraw(request: SyncRequest, reason: str = UNREACHABLE) -> SyncRequest:
    """Its task could not be published: the queued run ends as skipped, saying why."""
    if request.run is not None:
        SyncRun.objects.filter(pk=request.run.pk, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.SKIPPED, finished_at=timezone.now(), error=reason
        )
    return SyncRequest(request.run, False, reason)


def task_gave_up(run_id: int, exc: BaseException) -> bool:
    """The task of queued run `run_id` stopped for good before serving it: the run fails now,
    saying why (else it would block the region's next sync until it lapses). False when the
    database still refuses: the run then lapses after `queued_ttl()`."""
    try:
        return bool(
            SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
                status=SyncRun.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{GAVE_UP}: {type(exc).__name__}: {exc}"[:1000],
            )
        )
    except DatabaseError:
        return False
