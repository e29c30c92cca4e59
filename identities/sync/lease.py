"""The lease a sync holds on its region, and the database slots a sync works through.

One sync per region at a time, and a dead worker's regions free again within
`SESOPS_SYNC_LEASE` seconds (docs/sync-concurrency.md):
- `claim` is a conditional UPDATE: only a free region, or one whose lease lapsed, is taken;
  it stores a fresh token and an expiry one lease ahead.
- the `keeper` (one daemon thread per process) renews the leases of the syncs alive in this
  process every third of a lease, token checked; a sync past its deadline
  (`SESOPS_TASK_SOFT_TIME_LIMIT`) is no longer renewed and its lease lapses.
- `fence` runs first in the write transaction: it locks the region row and renews the lease
  only if the token is still ours, so a sync whose lease was taken over writes nothing.
- `release` frees only our own lease.

`db_slot()`: at most `SESOPS_SYNC_DB_CONNECTIONS` syncs of a process hold a database
connection at once; leaving the slot closes the connection, so the paced SES calls between
two slots hold none.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from regions.models import Region

log = logging.getLogger(__name__)


@dataclass
class Lease:
    region_id: int
    token: str
    until: datetime
    deadline: float  # time.monotonic() after which the keeper stops renewing


def lease_seconds() -> int:
    return int(settings.SESOPS_SYNC_LEASE)


def claim(region: Region, *, now: datetime | None = None) -> Lease | None:
    """Take the region's lease; None when a live sync holds it."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=lease_seconds())
    taken = (
        Region.objects.filter(pk=region.pk)
        .filter(Q(sync_lock_until__isnull=True) | Q(sync_lock_until__lte=now))
        .update(sync_lock_until=until, sync_lease=token, last_sync_started_at=now)
    )
    if not taken:
        return None
    return Lease(region.pk, token, until, time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT)


def renew(lease: Lease, *, now: datetime | None = None) -> bool:
    """Move our lease one lease ahead; False when it is no longer ours (taken over)."""
    until = (now or timezone.now()) + timedelta(seconds=lease_seconds())
    kept = Region.objects.filter(pk=lease.region_id, sync_lease=lease.token).update(
        sync_lock_until=until
    )
    if kept:
        lease.until = until
    return bool(kept)


# Inside the write transaction the renewing UPDATE also locks the region row until commit.
fence = renew


def release(lease: Lease) -> None:
    Region.objects.filter(pk=lease.region_id, sync_lease=lease.token).update(
        sync_lock_until=None, sync_lease=""
    )


def holder_until(region_id: int) -> datetime | None:
    return Region.objects.filter(pk=region_id).values_list("sync_lock_until", flat=True).first()


class LeaseKeeper:
    """Renews the leases of this process's live syncs from one daemon thread."""

    def __init__(self) -> None:
        self._leases: dict[str, Lease] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, lease: Lease) -> None:
        with self._lock:
            self._leases[lease.token] = lease
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="sesops-lease-keeper", daemon=True
                )
                self._thread.start()

    def drop(self, lease: Lease) -> None:
        with self._lock:
            self._leases.pop(lease.token, None)

    def held(self) -> list[Lease]:
        with self._lock:
            return list(self._leases.values())

    def renew_all(self) -> int:
        """One round of renewals; returns how many leases were renewed."""
        renewed = 0
        for lease in self.held():
            if time.monotonic() > lease.deadline:
                log.warning(
                    "sync of region %s is past its deadline: lease left to lapse", lease.region_id
                )
                continue
            if renew(lease):
                renewed += 1
            elif lease.token in self._leases:  # not just released by its finishing sync
                log.warning("lease of region %s was taken over", lease.region_id)
        return renewed

    def _loop(self) -> None:
        while True:
            time.sleep(max(lease_seconds() / 3, 1.0))
            try:
                self.renew_all()
            except DatabaseError as exc:  # the next round tries again, well inside the lease
                log.warning("cannot renew sync leases: %s", exc)
            finally:
                connection.close()  # this thread's connection: none held between rounds
            if not self.held():
                with self._lock:
                    if not self._leases:
                        self._thread = None
                        return


keeper = LeaseKeeper()


_slots: tuple[int, threading.BoundedSemaphore] | None = None
_slots_lock = threading.Lock()


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    size = settings.SESOPS_SYNC_DB_CONNECTIONS
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def release_connection() -> None:
    """Close this thread's connection unless a caller's transaction is open (tests, or a
    caller that syncs inside its own atomic block)."""
    if not connection.in_atomic_block:
        connection.close()


@contextmanager
def db_slot() -> Iterator[None]:
    """Hold one of this process's database slots; the connection is closed on the way out."""
    with _semaphore():
        try:
            yield
        finally:
            release_connection()
