"""SES's own advice in a region sync: VDM Advisor's open recommendations.

Fetch (no database): where GetAccount says VDM is enabled, one paginated
`ListRecommendations` (Filter STATUS=OPEN, PageSize 100, the model's largest) per sync,
paced like every control-plane call. Where VDM is off, or GetAccount failed, no call.

Apply (inside the sync's one write transaction): the region's stored recommendations are
replaced by the list just read (a recommendation no longer OPEN is deleted; one still open
keeps its first-seen time), with an Event for each one opened or closed after the first
read. A failed read keeps the last good list and records the error on the region
(`advice_error`); the identity sync itself is not failed by it. VDM turned off clears the
list (no events: SES stopped advising, nothing was fixed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from identities.sync.events import ACTOR
from regions.events import build_event
from regions.models import Event, Region, SesRecommendation
from regions.ses_api import SesApi
from regions.ses_types import AccountState, Recommendation, SesError, identity_name_of

log = logging.getLogger(__name__)

ERROR_PREFIX = "ListRecommendations"
SUBJECT = "ses_recommendation"  # the events' subject (identities/templatetags/sesops_events.py)
MESSAGE_LIMIT = 1000


def read_advice(
    client: SesApi, account: AccountState | None
) -> tuple[list[Recommendation] | None, str]:
    """(the open recommendations, "") or (None, the error); (None, "") when not asked."""
    if account is None or not account.vdm_enabled:
        return None, ""
    try:
        return client.list_recommendations(), ""
    except SesError as exc:
        log.info("%s: ListRecommendations failed: %s", client.region_code, exc)
        return None, str(exc)


def _fitting(name: str, limit: int) -> str:
    """A name too long for the column cannot be an identity's: matched to none."""
    return name if len(name) <= limit else ""


def _key(item: Recommendation | SesRecommendation) -> tuple[str, str, str]:
    return (item.resource_arn, item.type, item.description)


@dataclass
class AdviceWrite:
    """What writing a region's advice did: anything shown moved, the (unsaved) events of
    recommendations opened and closed, and the read error for the run."""

    changed: bool = False
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def apply_advice(
    region: Region,
    account: AccountState | None,
    found: list[Recommendation] | None,
    error: str,
    now: datetime,
) -> AdviceWrite:
    """Write what `read_advice` returned. Sets the region's VDM fields; the caller saves the
    region and records the events (the first read is a baseline: no events)."""
    out = AdviceWrite()
    if account is None:
        return out  # GetAccount failed: VDM's state is unknown, keep everything
    enabled = bool(account.vdm_enabled)
    out.changed = region.vdm_enabled is not None and region.vdm_enabled != enabled
    region.vdm_enabled = enabled
    rows = SesRecommendation.objects.filter(region=region)
    if not enabled:
        region.advice_error, region.advice_synced_at = "", None
        out.changed |= bool(rows.delete()[0])
        return out
    if found is None:
        region.advice_error = error
        out.problems = [f"{ERROR_PREFIX}: {error}"] if error else []
        return out
    first_read = region.advice_synced_at is None
    region.advice_error, region.advice_synced_at = "", now
    open_now = {_key(r): r for r in found if (r.status or "OPEN").upper() == "OPEN"}
    stored = {_key(r): r for r in rows}
    gone = [row for key, row in stored.items() if key not in open_now]
    new = [_row(region, item, now) for key, item in open_now.items() if key not in stored]
    updated = _refreshed(stored, open_now)
    SesRecommendation.objects.filter(pk__in=[row.pk for row in gone]).delete()
    SesRecommendation.objects.bulk_update(updated, ["impact", "ses_updated_at"])
    SesRecommendation.objects.bulk_create(new)
    out.changed |= bool(gone or new or updated)
    if not first_read:
        out.events = [_event(region, row, opened=True) for row in new]
        out.events += [_event(region, row, opened=False) for row in gone]
    return out


def _row(region: Region, item: Recommendation, now: datetime) -> SesRecommendation:
    return SesRecommendation(
        region=region,
        resource_arn=item.resource_arn,
        identity_name=_fitting(identity_name_of(item.resource_arn, region.code), 320),
        type=item.type[:32],
        impact=item.impact[:8],
        description=item.description,
        ses_created_at=item.created_at,
        ses_updated_at=item.updated_at,
        first_seen_at=now,
    )


def _refreshed(
    stored: dict[tuple, SesRecommendation], open_now: dict[tuple, Recommendation]
) -> list[SesRecommendation]:
    """Rows still open whose impact or SES update time moved (set, unsaved)."""
    out = []
    for key, item in open_now.items():
        row = stored.get(key)
        if row is not None and (row.impact, row.ses_updated_at) != (
            item.impact[:8],
            item.updated_at,
        ):
            row.impact, row.ses_updated_at = item.impact[:8], item.updated_at
            out.append(row)
    return out


def _event(region: Region, row: SesRecommendation, *, opened: bool) -> Event:
    label = f"{row.type} ({(row.impact or 'unknown').lower()} impact)"
    return build_event(
        kind=Event.Kind.STATUS,
        actor_name=ACTOR,
        region=region,
        identity_name=row.identity_name,
        subject=SUBJECT,
        before="" if opened else label,
        after=label if opened else "",
        message=row.description[:MESSAGE_LIMIT]
        if opened
        else "SES no longer lists it as open (fixed, or withdrawn).",
    )
