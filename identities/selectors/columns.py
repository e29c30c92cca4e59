"""A column of the grid: one account-region, with what its header shows (stale, the sync
error) and how many identities are blocked there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regions.models import Region


@dataclass
class Column:
    region: Region
    stale: bool
    error: str
    blocked: int = 0  # identities blocked in this column (whole filtered set)

    @property
    def digest_key(self) -> tuple:
        r = self.region
        return (
            r.pk,
            r.code,
            r.account.label,
            r.production_access_enabled,
            r.sending_enabled,
            r.enforcement_status,
            r.review_status,  # the "review denied / pending" badge
            r.review_case_id,
            self.stale,
            self.error,
            self.blocked,
        )


def column_of(region: Region, now: datetime) -> Column:
    return Column(region=region, stale=region.is_stale(now), error=region.current_error.strip())
