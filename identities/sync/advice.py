"""SES's own advice in a region sync: VDM Advisor's open recommendations.

Fetch (no database): where GetAccount says VDM is enabled, one paginated
`ListRecommendations` (Filter STATUS=OPEN, PageSize 100, the model's largest) per sync,
paced like every control-plane call. Where VDM is off, or GetAccount failed, no call.

Apply (inside the sync's one write transaction): the region's stored recommendations are
replaced by the list just read (a recommendation no longer OPEN is deleted; one still open
keeps its first-seen time). A failed read keeps the last good list and records the error on
the region (`advice_error`); the identity sync itself is not failed by it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from regions.models import Region, SesRecommendation
from regions.ses_api import SesApi
from regions.ses_types import AccountState, Recommendation, SesError, identity_name_of

log = logging.getLogger(__name__)

ERROR_PREFIX = "ListRecommendations"


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


def apply_advice(
    region: Region,
    account: AccountState | None,
    found: list[Recommendation] | None,
    error: str,
    now: datetime,
) -> tuple[bool, list[str]]:
    """Write what `read_advice` returned. Returns (anything shown changed, problems for the
    run). Sets the region's VDM fields; the caller saves the region."""
    if account is None:
        return False, []  # GetAccount failed: VDM's state is unknown, keep everything
    rows = SesRecommendation.objects.filter(region=region)
    enabled = bool(account.vdm_enabled)
    changed = region.vdm_enabled is not None and region.vdm_enabled != enabled
    region.vdm_enabled = enabled
    if not enabled:
        region.advice_error = ""
        return changed | bool(rows.delete()[0]), []
    if found is None:
        region.advice_error = error
        return changed, [f"{ERROR_PREFIX}: {error}"] if error else []
    region.advice_error = ""
    region.advice_synced_at = now
    open_now = {_key(r): r for r in found if (r.status or "OPEN").upper() == "OPEN"}
    stored = {_key(r): r for r in rows}
    gone = [r.pk for k, r in stored.items() if k not in open_now]
    SesRecommendation.objects.filter(pk__in=gone).delete()
    updated = []
    for key, item in open_now.items():
        row = stored.get(key)
        if row is not None and (row.impact, row.ses_updated_at) != (
            item.impact[:8],
            item.updated_at,
        ):
            row.impact, row.ses_updated_at = item.impact[:8], item.updated_at
            updated.append(row)
    SesRecommendation.objects.bulk_update(updated, ["impact", "ses_updated_at"])
    SesRecommendation.objects.bulk_create(
        [
            SesRecommendation(
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
            for key, item in open_now.items()
            if key not in stored
        ]
    )
    added = any(k not in stored for k in open_now)
    return changed or bool(gone) or added or bool(updated), []
