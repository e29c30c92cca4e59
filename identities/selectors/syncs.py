"""Whether a region's SES sync is queued, running or stalled: for the pages (regions page,
the identity page's "Sync now") and their polling. identities/sync/enqueue.py and
identities/sync/runs.py write this state; docs/sync-concurrency.md explains it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from regions.models import Region, SyncRun

QUEUED, RUNNING, STALLED, IDLE = "queued", "running", "stalled", "idle"


@dataclass(frozen=True)
class SyncState:
    region_id: int
    state: str  # queued | running | stalled (its worker stopped; the lease lapses) | idle
    since: datetime | None = None  # queued at / started at
    lease_until: datetime | None = None  # a running sync's lease
    run_id: int | None = None

    @property
    def active(self) -> bool:
        return self.state != IDLE

    @property
    def label(self) -> str:
        since = f" since {timezone.localtime(self.since):%H:%M:%S}" if self.since else ""
        return {
            QUEUED: f"Sync queued{since}",
            RUNNING: f"Sync running{since}",
            STALLED: "Sync stopped unfinished: the next sync takes over",
            IDLE: "",
        }[self.state]


def sync_states(region_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, SyncState]:
    """One state per region id, in two queries."""
    ids = list(region_ids)
    now = now or timezone.now()
    leases = dict(Region.objects.filter(pk__in=ids).values_list("pk", "sync_lock_until"))
    active = {
        row["region_id"]: row
        for row in SyncRun.objects.filter(
            region_id__in=ids, kind=SyncRun.Kind.SES, status__in=SyncRun.ACTIVE
        ).values("pk", "region_id", "status", "started_at")
    }
    states = {}
    for region_id in ids:
        until = leases.get(region_id)
        held = until is not None and until > now
        run = active.get(region_id)
        if run is None:
            # A lease without a run: a sync that has just taken the region.
            states[region_id] = SyncState(region_id, RUNNING if held else IDLE, None, until)
            continue
        running = RUNNING if held else STALLED
        state = QUEUED if run["status"] == SyncRun.Status.QUEUED else running
        states[region_id] = SyncState(
            region_id, state, run["started_at"], until if held else None, run["pk"]
        )
    return states


def sync_state(region_id: int) -> SyncState:
    return sync_states([region_id])[region_id]
