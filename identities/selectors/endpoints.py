"""Reads for the global endpoints on the regions page: each endpoint SES lists (present),
its two regions, what stops it, and for each identity of its regions whether it can send
through it (identities/blockers/endpoints.py judges; this module only loads).

Queries: a fixed number per endpoint (its secondary region, its identities, their cells:
identities.blockers.states.cells_for), whatever the number of identities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from identities.blockers import endpoints as rules
from identities.blockers.engine import Blocker
from identities.blockers.states import Cell, cells_for, region_state
from identities.models import Identity
from regions.models import GlobalEndpoint, Region

SHOWN = 50  # identity rows per endpoint; the rest are counted (blocked ones first)


@dataclass(frozen=True)
class EndpointCell:
    """One identity in one of the endpoint's regions, shaped like a grid cell for the
    blockers template (`identity`, `region`)."""

    identity: Identity
    region: Region
    blockers: list[Blocker]
    dkim: str  # how a domain signs there ("DEED replica of us-east-1"...), "" otherwise

    @property
    def blocking(self) -> bool:
        return any(b.blocking for b in self.blockers)

    @property
    def status(self) -> str:
        """The badge: blocked / warning / sending (an absent identity blocks here)."""
        if self.blocking:
            return "blocked"
        return "warning" if self.blockers else "sending"


@dataclass(frozen=True)
class EndpointIdentity:
    identity: Identity
    cells: tuple[EndpointCell | None, EndpointCell | None]  # primary, secondary (None: unsynced)

    @property
    def ready(self) -> bool:
        return all(c is not None and not c.blocking for c in self.cells)


@dataclass(frozen=True)
class EndpointView:
    endpoint: GlobalEndpoint
    primary: Region
    secondary: Region | None  # None: sesops does not sync the secondary region
    blockers: list[Blocker]
    rows: list[EndpointIdentity]  # at most SHOWN, those that cannot send first
    ready_count: int
    total: int

    @property
    def ready(self) -> bool:
        return not any(b.blocking for b in self.blockers)

    @property
    def hidden_rows(self) -> int:
        return self.total - len(self.rows)


def endpoints_for_page(regions: Sequence[Region]) -> list[EndpointView]:
    """The present endpoints whose primary region is one of `regions` (loaded with their
    account), by account and name."""
    primaries = {r.pk: r for r in regions}
    if not primaries:
        return []
    found = GlobalEndpoint.objects.filter(primary__in=primaries, present=True).order_by(
        "primary__account__label", "name"
    )
    return [_view(ep, primaries[ep.primary_id]) for ep in found]


def _view(ep: GlobalEndpoint, primary: Region) -> EndpointView:
    secondary = (
        Region.objects.select_related("account")
        .filter(account_id=primary.account_id, code=ep.secondary_code)
        .first()
    )
    synced = [r for r in (primary, secondary) if r is not None]
    identities = list(
        Identity.objects.filter(
            account_id=primary.account_id,
            regional__region__in=synced,
            regional__present=True,
        )
        .distinct()
        .order_by("name")
    )
    for identity in identities:
        identity.account = primary.account  # no query per identity
    cells = cells_for(identities, synced, lean=True)
    rows = [_row(identity, primary, secondary, cells) for identity in identities]
    ready = sum(r.ready for r in rows)
    regions = [
        rules.EndpointRegion(primary.code, region_state(primary)),
        rules.EndpointRegion(ep.secondary_code, region_state(secondary) if secondary else None),
    ]
    found = rules.for_endpoint(ep.status, regions)
    rows.sort(key=lambda r: r.ready)  # stable: those that cannot send first, then by name
    return EndpointView(
        endpoint=ep,
        primary=primary,
        secondary=secondary,
        blockers=rules.with_identities(found, ready=ready, total=len(rows)),
        rows=rows[:SHOWN],
        ready_count=ready,
        total=len(rows),
    )


def _row(
    identity: Identity,
    primary: Region,
    secondary: Region | None,
    cells: dict[tuple[int, int], Cell],
) -> EndpointIdentity:
    pair = (primary, secondary)
    out: list[EndpointCell | None] = []
    for i, region in enumerate(pair):
        other = pair[1 - i]
        cell = cells.get((identity.pk, region.pk)) if region is not None else None
        if cell is None or region is None:
            out.append(None)
            continue
        other_cell = cells.get((identity.pk, other.pk)) if other is not None else None
        blockers = rules.for_identity(
            cell.identity_state,
            cell.region_state,
            cell.dns,
            other=other_cell.identity_state if other_cell else None,
            other_region=other.code if other is not None else "",
        )
        out.append(EndpointCell(identity, region, blockers, rules.dkim_setup(cell.identity_state)))
    return EndpointIdentity(identity, (out[0], out[1]))
