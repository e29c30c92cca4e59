"""Celery tasks: thin wrappers around the sync (identities.sync.run) and the DNS probe.

Ids in, work claimed in the database. Beat schedules both (config/celery.py).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from celery import Task, shared_task
from celery.concurrency import prefork
from celery.signals import worker_process_init, worker_ready
from django import db
from django.conf import settings
from django.db import transaction
from kombu.exceptions import KombuError, OperationalError

from identities.dns.publish import follow_publish
from identities.dns.service import probe_all
from identities.models import DnsPublish
from identities.sync import enqueue, lease
from identities.sync.run import sync_region_id
from regions import ses
from regions.models import Region
from regions.services import ensure_default_account
from regions.ses_boto import warm

log = logging.getLogger(__name__)

# Publishing gives up quickly when the broker is down: the user gets an answer, not a hang.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


@worker_process_init.connect  # a prefork child
def freeze_start_up_objects(**_: object) -> None:
    """Out of the collector's sight: what the worker loaded at start (Django, the apps, and
    botocore's SES models, parsed now rather than in the first sync). A full collection then
    scans only what the syncs made (a 1,000-identity re-sync in-process: one ~150 ms full
    collection every ~10 syncs, ~10 ms once frozen; config/wsgi.py does the same)."""
    warm()
    gc.collect()
    gc.freeze()


@worker_ready.connect
def _on_worker_ready(sender: Any = None, **_: object) -> None:
    # The threads (or solo) pool runs the tasks in this process; a prefork parent runs none.
    if not isinstance(getattr(sender, "pool", None), prefork.TaskPool):
        build_region_clients()
        freeze_start_up_objects()


def build_region_clients() -> int:
    """A worker whose threads run every sync builds every active account-region's SES
    clients at start, before it takes a task: the first round after a start then spends
    its first seconds on SES calls, not on ~6 ms of client building a region under the
    interpreter lock that the worker's consumer needs to hand out the round's tasks (the
    last of 50 regions a process started ~0.7 s later for it). The memory is the same: such
    a process builds every region's clients within a few rounds anyway (0.7 MB a region).
    Returns how many regions' clients were built; a database or credentials problem is left
    to the syncs, which report it."""
    try:
        with lease.db_slot():
            regions = list(active_regions())
    except db.Error as exc:
        log.warning("SES clients not built at start: %s", exc)
        return 0
    built = 0
    for region in regions:
        try:
            ses.client_for(region.account, region.code)
            built += 1
        except Exception as exc:  # a bad profile or role config: its sync says so
            log.info("SES clients of %s not built at start: %s", region, exc)
    return built


class _SyncRegionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Given up (retries spent, or an error it does not retry): its queued run must not
        wait two sync intervals to stop blocking "Sync now"."""
        run_id = (kwargs or {}).get("run_id")
        if run_id:
            with lease.db_slot():
                enqueue.task_gave_up(run_id, exc)


@shared_task(
    name="identities.tasks.sync_region_task",
    base=_SyncRegionTask,
    bind=True,
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    # The database refused a connection (restarting, or out of connections): try again
    # shortly; the queued run waits for this task (a served run is not synced twice).
    autoretry_for=(db.OperationalError, db.InterfaceError),
    retry_backoff=2,
    retry_jitter=True,
    max_retries=5,
)
def sync_region_task(self, region_id: int, trigger: str = "beat", run_id: int | None = None) -> str:
    run = sync_region_id(region_id, trigger=trigger, task_id=self.request.id or "", run_id=run_id)
    if run is None:
        return "gone"  # region deleted since it was enqueued
    return run.status


def active_regions():
    return Region.objects.filter(account__is_active=True, hidden=False).select_related("account")


@shared_task(name="identities.tasks.sync_all_regions", ignore_result=True)
def sync_all_regions() -> int:
    """Beat's fan-out: one task per active, visible account-region, run in parallel by workers;
    a region whose sync is still queued or running is not queued again."""
    with lease.db_slot():
        ensure_default_account()
        return enqueue_region_syncs(list(active_regions()), trigger="beat")


def enqueue_region_syncs(regions: list[Region], trigger: str) -> int:
    """`enqueue_region_sync` for many regions: their runs queued in one transaction, their
    tasks published over one broker connection (inside a transaction: on its commit). When
    the broker fails, the runs not yet published are withdrawn. Returns how many were queued."""
    in_transaction = transaction.get_connection().in_atomic_block
    if in_transaction and not broker_reachable():
        return 0
    queued = [r for r in enqueue.request_syncs(regions, trigger=trigger) if r.queued]

    def publish() -> None:
        with sync_region_task.app.producer_or_acquire() as producer:
            for i, request in enumerate(queued):
                if not _publish(request.run.region_id, trigger, request.run.pk, producer):
                    for left in queued[i:]:
                        enqueue.withdraw(left)
                    return

    if in_transaction:
        transaction.on_commit(publish)
    else:
        publish()
    return len(queued)


def _publish(region_id: int, trigger: str, run_id: int, producer: Any = None) -> bool:
    try:
        sync_region_task.apply_async(
            args=[region_id],
            kwargs={"trigger": trigger[:32], "run_id": run_id},
            retry=True,
            retry_policy=_PUBLISH_RETRY,
            **({"producer": producer} if producer is not None else {}),
        )
    except (OperationalError, KombuError, ConnectionError, OSError) as exc:
        log.warning("cannot enqueue the sync of region %s: %s", region_id, exc)
        return False
    return True


def broker_reachable() -> bool:
    """A quick connection to the broker (one attempt, short timeout)."""
    try:
        with sync_region_task.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=3)
    except (OperationalError, KombuError, ConnectionError, OSError) as exc:
        log.warning("the Celery broker is unreachable: %s", exc)
        return False
    return True


def enqueue_region_sync(region: Region, trigger: str) -> enqueue.SyncRequest:
    """Queue a sync of `region` unless one is queued or running ("Sync now", beat).

    Outside a transaction the task is published at once; inside one the broker is checked
    now and the task published on commit (a failure then withdraws the queued run). When
    the broker is unreachable nothing is queued (`queued` False, the message says why);
    nothing is lost, beat syncs the region anyway."""
    if not transaction.get_connection().in_atomic_block:
        request = enqueue.request_sync(region, trigger=trigger)
        if request.queued and not _publish(region.pk, trigger, request.run.pk):
            return enqueue.withdraw(request)
        return request
    if not broker_reachable():
        return enqueue.SyncRequest(None, False, enqueue.UNREACHABLE)
    request = enqueue.request_sync(region, trigger=trigger)
    if request.queued:
        region_id, run_id = region.pk, request.run.pk
        transaction.on_commit(
            lambda: _publish(region_id, trigger, run_id) or enqueue.withdraw(request)
        )
    return request


@shared_task(
    name="identities.tasks.probe_dns_task",
    bind=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def probe_dns_task(self, domains: list[str] | None = None, trigger: str = "beat") -> str:
    """Probe every domain identity (or `domains`). A probe only reads DNS and upserts its own
    rows, so a duplicate delivery repeats harmless work; no lock is needed."""
    outcome = probe_all(domains=domains, trigger=trigger, task_id=self.request.id or "")
    return outcome.run.status


def queue_follow_publish(publish_id: int) -> None:
    """Queue the follow-up of a sent Route 53 change (identities/actions.publish_records)."""
    try:
        follow_publish_task.delay(publish_id)
    except (OperationalError, KombuError, ConnectionError, OSError) as exc:
        # The change is sent and stored; the progress page follows it itself (follow_stale).
        log.warning("cannot queue the follow-up of DNS publish %s: %s", publish_id, exc)


FOLLOW_INTERVAL = 2.0  # seconds between GetChange calls while a Route 53 change is PENDING


@shared_task(name="identities.tasks.follow_publish_task", bind=True, ignore_result=True)
def follow_publish_task(self, publish_id: int) -> str:
    """Follow a published DNS change: one GetChange per run, then back in FOLLOW_INTERVAL s
    while it is PENDING (no worker sleeps waiting); at INSYNC the domain is probed again and
    a sync of its regions is queued, so SES's own status (and the grid) follow."""
    before = DnsPublish.objects.filter(pk=publish_id).values_list("status", flat=True).first()
    if before is None or before in (DnsPublish.Status.DONE, DnsPublish.Status.FAILED):
        return before or "gone"  # deleted, or a duplicate delivery after the end
    publish = follow_publish(publish_id=publish_id)
    if not publish.finished:
        self.apply_async(args=[publish_id], countdown=FOLLOW_INTERVAL)
    elif publish.status == DnsPublish.Status.DONE:
        regions = Region.objects.filter(
            regional_identities__identity=publish.identity, regional_identities__present=True
        ).select_related("account")
        for region in regions:
            enqueue_region_sync(region, trigger="publish")
    return publish.status
