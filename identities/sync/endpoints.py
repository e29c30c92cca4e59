"""The database half of a region sync for its global endpoints (those whose primary region
this is): diff SES's list against the rows, inside the sync's one write transaction
(identities/sync/apply.py calls it), an Event per visible change.

A failed listing changes no row: the region keeps its last good endpoints and records the
error (`Region.endpoints_error`, shown on the regions page). The listing reads every page or
raises, so an endpoint it does not return is gone from SES: its row is marked gone (kept for
its history), never deleted.
"""

from __future__ import annotations

from datetime import datetime

from identities.sync.events import ACTOR
from identities.sync.fetch import Snapshot
from regions.events import build_event
from regions.models import Event, GlobalEndpoint, Region
from regions.ses import MultiRegionEndpoint

SUBJECT = "global_endpoint"
# Compared to find what moved; status and secondary are worth an event.
WATCHED = ("status", "secondary_code")
QUIET = ("endpoint_id", "ses_created_at", "ses_updated_at")


def _values(ep: MultiRegionEndpoint) -> dict[str, object]:
    return {
        "status": ep.status[:16],
        "secondary_code": ep.secondary[:32],
        "endpoint_id": ep.endpoint_id[:128],
        "ses_created_at": ep.created_at,
        "ses_updated_at": ep.updated_at,
    }


def _event(region: Region, name: str, before: str, after: str, message: str) -> Event:
    """An account change of the primary region; the endpoint is named in the message (the
    event's identity field is for identities: the activity page links it to one)."""
    return build_event(
        kind=Event.Kind.ACCOUNT,
        actor_name=ACTOR,
        region=region,
        subject=SUBJECT,
        before=before,
        after=after,
        message=f"{name}: {message}",
    )


def apply_endpoints(region: Region, snap: Snapshot, now: datetime) -> list[Event]:
    """Write the region's endpoints from `snap`; returns the (unsaved) events. The region's
    own fields are set on the object, saved by the caller (run.REGION_FIELDS)."""
    if snap.endpoints is None:
        if snap.endpoints_error:
            region.endpoints_error = snap.endpoints_error
        return []
    first_read = region.endpoints_synced_at is None  # a baseline, not news
    region.endpoints_synced_at, region.endpoints_error = now, ""
    rows = {row.name: row for row in GlobalEndpoint.objects.filter(primary=region)}
    listed = {ep.name[:64]: ep for ep in snap.endpoints if ep.name}
    events: list[Event] = []
    for name, ep in listed.items():
        values = _values(ep)
        row = rows.get(name)
        if row is None:
            GlobalEndpoint.objects.create(
                primary=region,
                name=name,
                first_seen_at=now,
                synced_at=now,
                changed_at=now,
                **values,
            )
            if not first_read:
                events.append(_event(region, name, "", ep.status, _seen(ep)))
            continue
        moved = [f for f in (*WATCHED, *QUIET) if getattr(row, f) != values[f]]
        if not row.present:
            row.present, row.gone_at = True, None
            moved += ["present", "gone_at"]
            events.append(_event(region, name, "gone", ep.status, _seen(ep)))
        elif any(f in WATCHED for f in moved):
            events.append(
                _event(region, name, row.status, ep.status, f"Now {ep.status}, {_route(ep)}.")
            )
        for field in moved:
            if field in values:
                setattr(row, field, values[field])
        row.synced_at = now
        if moved:
            row.changed_at = now
        row.save()
    for name, row in rows.items():
        if name not in listed and row.present:
            row.present, row.gone_at, row.changed_at, row.synced_at = False, now, now, now
            row.save(update_fields=["present", "gone_at", "changed_at", "synced_at"])
            events.append(
                _event(region, name, row.status, "gone", "SES no longer lists the endpoint.")
            )
    if events:
        region.changed_at = now
    return events


def _route(ep: MultiRegionEndpoint) -> str:
    return f"{ep.primary} + {ep.secondary or 'no secondary region'}"


def _seen(ep: MultiRegionEndpoint) -> str:
    return f"Global endpoint seen in SES ({ep.status}): {_route(ep)}."
