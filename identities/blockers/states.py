"""ORM rows -> the plain states the blockers engine reads (identities/blockers/engine.py).

The single-row adapters (`region_state`, `identity_state`, `dns_states`) run no query when
given rows fetched with `select_related("account")` / `select_related("identity", "region")`
and prefetched `dns_checks`. The bulk helpers (`cells_for`, `blockers_for_regionals`) fetch
everything they need in a fixed number of queries, whatever the number of identities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone

from identities.blockers.advice import Advice
from identities.blockers.advice_rows import AdviceMap, advice_for
from identities.blockers.deed import DeedParent, by_region_code, deed_parent_state
from identities.blockers.engine import (
    Blocker,
    CellStatus,
    DnsState,
    IdentityState,
    RegionState,
    blockers_for,
    cell_status,
)
from identities.blockers.queries import (
    cell_regionals,
    present_codes,
    regionals_for,
    verified_domains,
)
from identities.models import ENGINE_FIELDS, DnsCheck, Identity, RegionalIdentity
from regions.models import Region


def region_state(region: Region, *, now: datetime | None = None) -> RegionState:
    """Needs `region.account` loaded (select_related) to stay query-free."""
    return RegionState(
        account_label=region.account.label,
        code=region.code,
        production_access_enabled=region.production_access_enabled,
        sending_enabled=region.sending_enabled,
        enforcement_status=region.enforcement_status,
        max_24_hour_send=region.max_24_hour_send,
        sent_last_24_hours=region.sent_last_24_hours,
        stale=region.is_stale(now),
        last_error=region.current_error,  # only an error newer than the last success counts
        last_success_at=region.last_success_at,
    )


def identity_state(
    ri: RegionalIdentity,
    *,
    domain_verified: bool,
    other_regions: Iterable[str] = (),
    deed_parent: DeedParent | None = None,
    advice: tuple[Advice, ...] = (),
) -> IdentityState:
    """Needs `ri.identity` loaded (select_related) to stay query-free."""
    identity = ri.identity
    return IdentityState(
        name=identity.name,
        kind=identity.kind,
        **{f: getattr(ri, f) for f in ENGINE_FIELDS},
        parent_domain_verified=bool(domain_verified) and identity.is_email,
        other_regions=tuple(sorted(other_regions)),
        deed_parent=deed_parent,
        advice=advice,
    )


def absent_identity_state(
    identity: Identity, *, other_regions: Iterable[str] = ()
) -> IdentityState:
    """A grid cell where the identity has no row in the region at all."""
    return IdentityState(
        name=identity.name,
        kind=identity.kind,
        present=False,
        other_regions=tuple(sorted(other_regions)),
    )


def dns_states(checks: Iterable[DnsCheck]) -> list[DnsState]:
    return [
        DnsState(
            purpose=c.purpose,
            name=c.name,
            rtype=c.rtype,
            verdict=c.verdict,
            severity=c.severity,
            diagnosis=c.diagnosis,
        )
        for c in checks
    ]


@dataclass(frozen=True)
class Cell:
    """One identity in one account-region, with everything the grid shows about it."""

    identity: Identity
    region: Region
    regional: RegionalIdentity | None
    identity_state: IdentityState
    region_state: RegionState
    dns: list[DnsState]
    blockers: list[Blocker]

    @property
    def status(self) -> CellStatus:
        return cell_status(self.blockers)

    @property
    def blocking(self) -> bool:
        return any(b.blocking for b in self.blockers)


@dataclass
class _Loaded:
    """What the bulk adapters read once for many cells (a fixed number of queries)."""

    rows: list[Any]  # RegionalIdentity (or PlainRow) of the identities, every region
    checks: dict[int, list[DnsState]]  # regional row id -> its DNS checks
    domains: set[tuple[int, int, str]]  # verified domains (queries.verified_domains)
    advice: dict[tuple[int, str], tuple[Advice, ...]]  # (region id, identity name) -> SES's

    @cached_property
    def by_code(self) -> dict:
        return by_region_code(self.rows)

    @cached_property
    def present(self) -> dict[int, dict[int, str]]:
        return present_codes(self.rows)

    def elsewhere(self, identity_id: int, region_id: int) -> list[str]:
        """The codes of the other regions where the identity is present."""
        return [c for rid, c in self.present.get(identity_id, {}).items() if rid != region_id]

    def state(
        self, ri: Any, identity: Identity, region_id: int, others: Iterable[str]
    ) -> tuple[IdentityState, list[DnsState]]:
        """The engine's input for one present (or gone) row: its state and DNS checks."""
        state = identity_state(
            ri,
            domain_verified=(identity.account_id, region_id, identity.domain.lower())
            in self.domains,
            other_regions=others,
            deed_parent=deed_parent_state(ri, self.by_code),
            advice=self.advice.get((region_id, identity.name), ()) if ri.present else (),
        )
        return state, [] if identity.is_email else self.checks.get(ri.id, [])


def cells_for(
    identities: Sequence[Identity],
    regions: Sequence[Region],
    *,
    now: datetime | None = None,
    lean: bool = False,
    advice: AdviceMap | None = None,
) -> dict[tuple[int, int], Cell]:
    """(identity id, region id) -> Cell for each identity x region of the same account.

    Pass regions with `select_related("account")`. Four queries in all, however many rows
    (three when the caller passes SES's `advice`, already read: advice_rows.map_of).
    """
    now = now or timezone.now()
    # lean (the grid): only what a cell shows; else whole rows, for pages that show more.
    rows: list[Any]
    if lean:
        rows, checks_by_ri = cell_regionals(identities)
    else:
        rows = regionals_for(i.pk for i in identities)
        checks_by_ri = {ri.pk: dns_states(ri.dns_checks.all()) for ri in rows}
    loaded = _Loaded(
        rows,
        checks_by_ri,
        verified_domains(
            {i.account_id for i in identities}, {i.domain for i in identities if i.is_email}
        ),
        advice if advice is not None else advice_for(regions, [i.name for i in identities]),
    )
    by_key = {(ri.identity_id, ri.region_id): ri for ri in rows}
    region_states = {r.pk: region_state(r, now=now) for r in regions}
    cells: dict[tuple[int, int], Cell] = {}
    for identity in identities:
        for region in regions:
            if region.account_id != identity.account_id:
                continue
            ri = by_key.get((identity.pk, region.pk))
            # Where else it exists: only an absent (or gone) cell says so.
            absent = ri is None or not ri.present
            others = loaded.elsewhere(identity.pk, region.pk) if absent else ()
            if ri is None:
                state, checks = absent_identity_state(identity, other_regions=others), []
            else:
                ri.identity = identity  # reuse the caller's objects: no extra query
                if lean:
                    ri.region = region
                state, checks = loaded.state(ri, identity, region.pk, others)
            rstate = region_states[region.pk]
            blockers = blockers_for(state, rstate, checks)
            cells[(identity.pk, region.pk)] = Cell(
                identity, region, ri, state, rstate, checks, blockers
            )
    return cells


def blockers_for_regionals(
    regionals: Sequence[RegionalIdentity], *, now: datetime | None = None
) -> dict[int, list[Blocker]]:
    """RegionalIdentity id -> its blockers, for reports over many rows (fixed query count).

    Pass rows with `select_related("identity", "region__account")`.
    """
    now = now or timezone.now()
    all_rows = regionals_for({ri.identity_id for ri in regionals})
    loaded = _Loaded(
        all_rows,
        {ri.pk: dns_states(ri.dns_checks.all()) for ri in all_rows},
        verified_domains(
            {ri.identity.account_id for ri in regionals},
            {ri.identity.domain for ri in regionals if ri.identity.is_email},
        ),
        advice_for({ri.region for ri in regionals}, {ri.identity.name for ri in regionals}),
    )
    region_states: dict[int, RegionState] = {}
    out: dict[int, list[Blocker]] = {}
    for ri in regionals:
        if ri.region_id not in region_states:
            region_states[ri.region_id] = region_state(ri.region, now=now)
        others = loaded.elsewhere(ri.identity_id, ri.region_id)
        state, checks = loaded.state(ri, ri.identity, ri.region_id, others)
        out[ri.pk] = blockers_for(state, region_states[ri.region_id], checks)
    return out
