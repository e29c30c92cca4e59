"""Sync one account-region from SES: take its lease (identities/sync/lease.py, runs.py),
read SES (fetch.py) holding no database connection, write (apply.py) in one transaction
fenced by the lease, release. Used by the Celery task and by `manage.py sync_ses`; the
shape and its reasons: docs/sync-concurrency.md.

- One sync per region at a time: the lease is claimed with a conditional UPDATE (only when
  free or lapsed) and renewed while the sync lives, so two workers never sync a region
  together and a dead worker's region is free again within SESOPS_SYNC_LEASE seconds; the
  loser records a `skipped` SyncRun and returns.
- A redelivered task (same Celery task id, or a queued run already served) does nothing.
- No transaction, and no connection, is open while SES is called: the stored rows the plan
  needs are read in one short visit after the listing, and the writes happen afterwards in
  one short transaction, each through one of the process's database slots.
- Nothing is lost: failed calls keep the last data; identities are marked gone only after a
  complete listing; the region records the error and when it happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from identities.sync import apply as sync_apply
from identities.sync import lease, runs
from identities.sync.account import ACCOUNT_QUIET, ACCOUNT_WATCHED
from identities.sync.events import ACTOR
from identities.sync.fetch import Snapshot, Stored, read_region
from identities.sync.rows import stored_view
from regions import ses
from regions.events import record_event
from regions.models import Event, Region, SyncRun

log = logging.getLogger(__name__)

# The Region fields a sync writes: the account state (account.py), then its own records.
REGION_FIELDS = [
    *ACCOUNT_WATCHED,
    *ACCOUNT_QUIET,
    "account_synced_at",
    "account_error",
    "endpoints_synced_at",
    "endpoints_error",
    "vdm_enabled",
    "advice_synced_at",
    "advice_error",
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


class LeaseLost(Exception):
    """The lease lapsed and another sync took the region: this sync writes nothing."""


def sync_region(
    region: Region, *, trigger: str, task_id: str = "", run_id: int | None = None
) -> SyncRun:
    """Sync one account-region now, in this thread. Returns the SyncRun: the queued run
    `run_id` when given, now finished, or a `skipped` one when another sync holds the lease.

    Database work happens in three short visits (the claim, the stored rows the plan needs
    once the listing is in, the write), each through one of the process's database slots
    (lease.db_slot); the paced SES calls between them hold no connection."""

    def reloaded() -> Region:
        _reload(region)
        return region

    run = _sync(reloaded, trigger=trigger, task_id=task_id, run_id=run_id)
    assert run is not None  # an instance in hand is never gone
    return run


def sync_region_id(
    region_id: int, *, trigger: str, task_id: str = "", run_id: int | None = None
) -> SyncRun | None:
    """`sync_region` for a region known by its id (the Celery task's case): read in the
    sync's first database visit rather than in one more. None: the region is gone."""

    def load() -> Region | None:
        return Region.objects.select_related("account").filter(pk=region_id).first()

    return _sync(load, trigger=trigger, task_id=task_id, run_id=run_id)


def _sync(
    load: Callable[[], Region | None], *, trigger: str, task_id: str, run_id: int | None
) -> SyncRun | None:
    with lease.db_slot():
        region = load()  # fresh fields, its account loaded (see _reload)
        if region is None:
            return None
        started = runs.start(region, trigger=trigger, task_id=task_id, run_id=run_id)
        if started.lease is None:
            return started.run
        held, run = started.lease, started.run
        lease.keeper.hold(held)
        clock = time.monotonic()
    try:
        client, snap = _fetch(region)
        with lease.db_slot():
            _write(region, run, held, client, snap)
            lease.release(held)
    except BaseException as exc:
        # A bug, a database error, a lost lease: the run says so and the lease is freed.
        with lease.db_slot():
            _give_up(region, run, held, exc)
        raise
    finally:
        lease.keeper.drop(held)
        log.info(
            "sync of %s: %s, %d identities, %d changes, %d calls, %.1fs",
            region,
            run.status,
            run.identities,
            run.changes,
            run.calls,
            time.monotonic() - clock,
        )
    return run


def _reload(region: Region) -> None:
    """Fresh fields, and the account loaded now: refresh_from_db() drops the cached account,
    and reading it later (the SES client, the log line) would open a connection outside the
    database slots and hold it through the paced calls."""
    region.refresh_from_db()
    region.account  # noqa: B018 - loaded here, inside the slot


def _give_up(region: Region, run: SyncRun, held: lease.Lease, exc: BaseException) -> None:
    runs.fail(region, run, exc, region_error=not isinstance(exc, LeaseLost))
    lease.release(held)


def _client(region: Region) -> tuple[ses.SesClient | None, str]:
    try:
        return ses.client_for(region.account, region.code), ""
    except ses.SesError as exc:
        return None, str(exc)
    except Exception as exc:  # boto3 session errors (bad profile, bad role config)
        return None, f"cannot build an SES client: {exc}"


def _fetch(region: Region) -> tuple[ses.SesClient | None, Snapshot]:
    """The SES calls of the plan, paced; no database connection is open during them (the
    stored rows the plan needs are read in one short visit after the listing)."""
    client, client_error = _client(region)
    if client is None:
        snap = Snapshot(errors=[client_error], permanent_error=True)
        snap.account_error = client_error
        return None, snap

    def load_stored(names: list[str]) -> dict[str, Stored]:
        with lease.db_slot():
            return stored_view(region, names)

    return client, read_region(client, load_stored, budget=call_budget())


def _write(
    region: Region, run: SyncRun, held: lease.Lease, client: ses.SesClient | None, snap: Snapshot
) -> None:
    # Counted before writing: a run that fails in the database still says what it spent.
    run.calls = client.calls if client else 0
    run.throttled = client.throttled if client else 0
    now = timezone.now()
    error = "; ".join(snap.errors)[:4000]
    with transaction.atomic():
        if not lease.fence(held):
            raise LeaseLost("this sync's lease lapsed and another sync took the region over")
        _reload(region)
        previous_error = region.last_sync_error
        result, _ = sync_apply.apply_snapshot(region, snap, now)
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
        if error != previous_error and (error or previous_error):  # a new error, or fixed
            record_event(
                kind=Event.Kind.SYNC_ERROR,
                actor_name=ACTOR,
                region=region,
                subject="sync",
                result=Event.Result.ERROR if error else Event.Result.OK,
                message=error or "Sync works again.",
            )
        run.identities = result.identities
        run.changes = result.changes
        # Values SES sent that cannot be stored are named in the run, not held against the
        # region: everything else was written, so its data is not stale.
        account_error = f"GetAccount: {snap.account_error}" if snap.account_error else ""
        endpoints_error = snap.endpoints_error if not error else ""  # its text names the call
        run.error = "; ".join(
            filter(None, [error or account_error, endpoints_error, *result.problems])
        )[:4000]
        if snap.listing is None:
            run.status = SyncRun.Status.FAILED
        elif error or snap.account_error or snap.endpoints_error or result.problems:
            run.status = SyncRun.Status.PARTIAL
        else:
            run.status = SyncRun.Status.SUCCEEDED
        run.finished_at = now
        run.save()
