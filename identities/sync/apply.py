"""The database half of a region sync: diff what SES said against the rows, write in bulk.

Runs after every network call is done, inside one short transaction. Each visible change
writes one `Event` (kind status/account) and moves `changed_at` (the dashboard's live
refresh asks "anything newer than T?"). The parts: account.py (the Region's account state),
rows.py and state.py (the RegionalIdentity rows), endpoints.py (the global endpoints),
advice.py (SES's VDM recommendations), events.py (what each change says).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from identities.sync import screen
from identities.sync.account import account_changes
from identities.sync.advice import apply_advice
from identities.sync.endpoints import apply_endpoints
from identities.sync.events import arrival_events, first_sync_event
from identities.sync.fetch import Snapshot
from identities.sync.rows import (
    Writes,
    create_rows,
    load_rows,
    mark_gone,
    merge_listing,
    scan_rows,
    status_changes,
    verified_domains,
    write_rows,
)
from regions.events import record_events
from regions.models import Event, Region


@dataclass
class ApplyResult:
    identities: int = 0
    changes: int = 0
    # SES values that could not be stored (skipped or kept as before), for the run's error.
    problems: list[str] = dataclasses.field(default_factory=list)


def apply_snapshot(
    region: Region, snap: Snapshot, now: datetime
) -> tuple[ApplyResult, list[Event]]:
    """Diff and write. Returns counts and the events written. Call inside a transaction."""
    result = ApplyResult()
    events: list[Event] = []
    if snap.account is not None:
        events += account_changes(region, snap.account, now, result.problems)
    elif snap.account_error:
        region.account_error = snap.account_error
    advice = apply_advice(region, snap.account, snap.advice, snap.advice_error, now)
    events += advice.events
    result.problems += advice.problems
    region_changed = bool(events) or advice.changed

    first_sync = False
    created = 0
    if snap.listing is not None:
        writes, listing_events, first_sync = _apply_listing(region, snap, now, result)
        events += listing_events
        created = writes.created
        region_changed = region_changed or writes.changed()

    events += apply_endpoints(region, snap, now)
    record_events(events)
    # The first sync's summary event stands for one change per identity imported.
    result.changes = len(events) - 1 + created if first_sync else len(events)
    if region_changed:
        region.changed_at = now
    return result, events


def _apply_listing(
    region: Region, snap: Snapshot, now: datetime, result: ApplyResult
) -> tuple[Writes, list[Event], bool]:
    """The identities half: rows merged with the complete listing, diffed and written. The
    rows are scanned as plain values (read again: not held during the SES calls); only those
    this sync changes become models. Returns the writes, the events and whether this was
    the region's first sync."""
    snap.load_details()
    snap.listing, skipped = screen.listing(snap.listing or [])  # what can be stored from here
    result.problems += skipped
    listed = {i.name: i for i in snap.listing}
    scan = scan_rows(region, snap, listed, now)
    first_sync = not scan.stored and region.last_success_at is None
    rows = load_rows(region, scan.to_load)
    writes, before = merge_listing(region, snap, listed, rows, now, result.problems)
    events = status_changes(region, rows, before, writes)
    events += mark_gone(region, rows, listed, writes)
    # The new rows first: their verified domains count for the stored addresses' flags.
    verified = verified_domains(scan, rows)
    new = [item for name, item in listed.items() if name in scan.new]
    for created in create_rows(region, snap, new, verified, writes, result.problems):
        if not first_sync:
            events += arrival_events(region, created)
    if first_sync:
        events.append(first_sync_event(region, writes.created))
    write_rows(region, rows, writes, verified)
    result.identities = len(listed)
    return writes, events, first_sync
