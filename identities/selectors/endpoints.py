"""Reads for the global endpoints on the regions page: each endpoint SES lists (present),
its two regions, what stops it, and for each identity of its regions whether it can send
through it (identities/blockers/endpoints.py judges; this module only loads).

Queries: a fixed number per endpoint, whatever the number of identities: its secondary
region, two counts (identities in its regions; those that can send, in SQL from the stored
per-row flags, as the grid counts its blocked ones: rules.region_lets_through says why that
is exact), and the rows shown (at most SHOWN, those that cannot send first), judged in full
by the rules with their cells (identities.blockers.states.cells_for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from identities.blockers import endpoints as rules
from identities.blockers.engine import Blocker
from identities.blockers.flags import refresh_unknown
from identities.blockers.states import Cell, cells_for, region_state
from identities.models import Identity, RegionalIdentity
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
    refresh_unknown(r.pk for r in synced)  # as the grid: flags never computed, computed now
    states = [region_state(primary), region_state(secondary) if secondary else None]
    listed = _in_regions(primary.account_id, synced)
    ready_ids = (
        _ready(listed, synced)
        if all(rules.region_lets_through(s) for s in states)
        else Identity.objects.none()
    )
    total, ready = listed.count(), ready_ids.count()
    # Judged in full: the identities shown only, those that cannot send first.
    shown = list(listed.exclude(pk__in=ready_ids.values("pk")).order_by("name")[:SHOWN])
    if len(shown) < SHOWN:
        shown += list(ready_ids.order_by("name")[: SHOWN - len(shown)])
    for identity in shown:
        identity.account = primary.account  # no query per identity
    cells = cells_for(shown, synced, lean=True)
    rows = [_row(identity, primary, secondary, cells) for identity in shown]
    rows.sort(key=lambda r: r.ready)  # stable: those that cannot send first, then by name
    regions = [
        rules.EndpointRegion(primary.code, states[0]),
        rules.EndpointRegion(ep.secondary_code, states[1]),
    ]
    found = rules.for_endpoint(ep.status, regions)
    return EndpointView(
        endpoint=ep,
        primary=primary,
        secondary=secondary,
        blockers=rules.with_identities(found, ready=ready, total=total),
        rows=rows,
        ready_count=ready,
        total=total,
    )


def _in_regions(account_id: int, regions: Sequence[Region]) -> QuerySet[Identity]:
    """The account's identities present in at least one of the endpoint's synced regions."""
    present = RegionalIdentity.objects.filter(
        identity_id=OuterRef("pk"), region__in=regions, present=True
    )
    return Identity.objects.filter(Exists(present), account_id=account_id)


def _ready(listed: QuerySet[Identity], regions: Sequence[Region]) -> QuerySet[Identity]:
    """Those of `listed` that can send through the endpoint, in both regions whose account
    lets them through (rules.region_lets_through says what else blocks)."""
    signs = Q(dkim_status__iexact=rules.DKIM_SIGNS) & ~Q(dkim_signing_enabled=False)
    ok = Q(identity__kind=Identity.Kind.EMAIL) | signs
    for region in regions:
        fine = RegionalIdentity.objects.filter(
            ok, identity_id=OuterRef("pk"), region=region, present=True, blocking=False
        )
        listed = listed.filter(Exists(fine))
    return listed


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
