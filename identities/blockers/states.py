"""ORM rows -> the plain states the blockers engine reads (identities/blockers/engine.py).

The single-row adapters (`region_state`, `identity_state`, `dns_states`) run no query when
given rows fetched with `select_related("account")` / `select_related("identity", "region")`
and prefetched `dns_checks`. The bulk helpers (`cells_for`, `blockers_for_regionals`) fetch
everything they need in a fixed number of queries, whatever the number of identities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import F, Prefetch
from django.utils import timezone

from identities.blockers.advice import Advice
from identities.blockers.advice_rows import advice_for
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
from identities.blockers.types import is_verified_row
from identities.models import ENGINE_FIELDS, PROBLEM_VERDICTS, DnsCheck, Identity, RegionalIdentity
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


def verified_domains(
    account_ids: Iterable[int], domains: Iterable[str]
) -> set[tuple[int, int, str]]:
    """{(account id, region id, domain)} of domain identities verified for sending. One query."""
    domains = {d.lower() for d in domains if d}
    if not domains:
        return set()
    rows = (
        RegionalIdentity.objects.filter(
            identity__account_id__in=set(account_ids),
            identity__kind=Identity.Kind.DOMAIN,
            identity__name__in=domains,
            present=True,
        )
        .order_by()
        .values_list(  # no ORDER BY: the model's default joins and sorts for nothing
            "identity__account_id",
            "region_id",
            "identity__name",
            "verified_for_sending",
            "verification_status",
        )
    )
    return {
        (acc, reg, name.lower())
        for acc, reg, name, vfs, status in rows
        if is_verified_row(vfs, status)
    }


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


def _regionals_for(identity_ids: Iterable[int]) -> list[RegionalIdentity]:
    """Every regional row of these identities, with region, account and DNS checks (3 queries)."""
    return list(
        RegionalIdentity.objects.filter(identity_id__in=set(identity_ids))
        .select_related("identity", "region", "region__account")
        .annotate(region_code=F("region__code"))
        .prefetch_related(
            Prefetch("dns_checks", queryset=DnsCheck.objects.order_by("purpose", "name"))
        )
    )


# What a grid cell reads of a regional row and its DNS checks: loading only these (no joined
# identity/region/account rows, which the caller already holds, and none of the timestamps
# and JSON the cell never shows) is much cheaper per grid page (benchmarks/README.md).
CELL_FIELDS = ("id", "identity_id", "region_id", *ENGINE_FIELDS)
_CHECK_FIELDS = (
    "id",
    "regional_identity_id",
    "purpose",
    "name",
    "rtype",
    "verdict",
    "severity",
    "diagnosis",
)


class PlainRow(SimpleNamespace):
    """A RegionalIdentity's fields from `values()`, for identity_state: at a grid page's
    1,000 cells, model instances and a prefetch cost more than the rest of the page."""


def problem_checks(
    ri_ids: Iterable[int] = (), *, identity_ids: Iterable[int] = ()
) -> dict[int, list[DnsState]]:
    """RegionalIdentity id -> its DNS checks that make blockers (one query; most are `ok`).

    By rows, or by identities (a page's 50 identities, not its 1,000 rows: a query with
    fewer parameters is much cheaper to build and to send)."""
    out: dict[int, list[DnsState]] = defaultdict(list)
    by_identity = list(identity_ids)
    where = (
        {"regional_identity__identity_id__in": by_identity}
        if by_identity
        else {"regional_identity_id__in": list(ri_ids)}
    )
    rows = (
        DnsCheck.objects.filter(verdict__in=PROBLEM_VERDICTS, **where)
        .order_by("purpose", "name")
        .values_list(*_CHECK_FIELDS[1:])
    )
    for rid, *fields in rows:
        out[rid].append(DnsState(*fields))
    return out


def _cell_regionals(
    identities: Sequence[Identity],
) -> tuple[list[Any], dict[int, list[DnsState]]]:
    """The grid's rows (only the fields a cell shows) and their problem DNS checks (domains
    only: an address's cell never reads DNS checks)."""
    ids = {i.pk for i in identities}
    domain_ids = [i.pk for i in identities if not i.is_email]
    rows = [
        PlainRow(**values)
        for values in RegionalIdentity.objects.filter(identity_id__in=ids)
        .order_by()
        .annotate(region_code=F("region__code"))
        .values(*CELL_FIELDS, "region_code")
    ]
    return rows, problem_checks(identity_ids=domain_ids) if domain_ids else {}


def _present_codes(rows: Iterable[RegionalIdentity]) -> dict[int, dict[int, str]]:
    """identity id -> {region id: region code} where the identity is present."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for ri in rows:
        if ri.present:
            out[ri.identity_id][ri.region_id] = ri.region_code
    return out


def cells_for(
    identities: Sequence[Identity],
    regions: Sequence[Region],
    *,
    now: datetime | None = None,
    lean: bool = False,
) -> dict[tuple[int, int], Cell]:
    """(identity id, region id) -> Cell for each identity x region of the same account.

    Pass regions with `select_related("account")`. Four queries in all, however many rows.
    """
    now = now or timezone.now()
    ids = [i.pk for i in identities]
    # lean (the grid): only what a cell shows; else whole rows, for pages that show more.
    rows: list[Any]
    if lean:
        rows, checks_by_ri = _cell_regionals(identities)
    else:
        rows = _regionals_for(ids)
        checks_by_ri = {ri.pk: dns_states(ri.dns_checks.all()) for ri in rows}
    by_key = {(ri.identity_id, ri.region_id): ri for ri in rows}
    by_code = by_region_code(rows)
    present = _present_codes(rows)
    domains = verified_domains(
        {i.account_id for i in identities}, {i.domain for i in identities if i.is_email}
    )
    region_states = {r.pk: region_state(r, now=now) for r in regions}
    advice = advice_for(regions, [i.name for i in identities])
    cells: dict[tuple[int, int], Cell] = {}
    for identity in identities:
        identity_pk = identity.pk
        elsewhere = present.get(identity_pk, {})
        for region in regions:
            if region.account_id != identity.account_id:
                continue
            region_pk = region.pk
            ri = by_key.get((identity_pk, region_pk))
            # Where else it exists: only an absent (or gone) cell says so.
            others = (
                [code for rid, code in elsewhere.items() if rid != region_pk]
                if ri is None or not ri.present
                else ()
            )
            if ri is None:
                state = absent_identity_state(identity, other_regions=others)
                checks: list[DnsState] = []
            else:
                ri.identity = identity  # reuse the caller's objects: no extra query
                if lean:
                    ri.region = region
                state = identity_state(
                    ri,
                    domain_verified=(identity.account_id, region_pk, identity.domain.lower())
                    in domains,
                    other_regions=others,
                    deed_parent=deed_parent_state(ri, by_code),
                    advice=advice.get((region_pk, identity.name), ()) if ri.present else (),
                )
                checks = [] if identity.is_email else checks_by_ri.get(ri.id, [])
            rstate = region_states[region_pk]
            cells[(identity_pk, region_pk)] = Cell(
                identity=identity,
                region=region,
                regional=ri,
                identity_state=state,
                region_state=rstate,
                dns=checks,
                blockers=blockers_for(state, rstate, checks),
            )
    return cells


def blockers_for_regionals(
    regionals: Sequence[RegionalIdentity], *, now: datetime | None = None
) -> dict[int, list[Blocker]]:
    """RegionalIdentity id -> its blockers, for reports over many rows (fixed query count).

    Pass rows with `select_related("identity", "region__account")`.
    """
    now = now or timezone.now()
    identity_ids = {ri.identity_id for ri in regionals}
    all_rows = _regionals_for(identity_ids)
    present = _present_codes(all_rows)
    by_code = by_region_code(all_rows)
    checks_by_ri = {ri.pk: dns_states(ri.dns_checks.all()) for ri in all_rows}
    domains = verified_domains(
        {ri.identity.account_id for ri in regionals},
        {ri.identity.domain for ri in regionals if ri.identity.is_email},
    )
    region_states: dict[int, RegionState] = {}
    advice = advice_for({ri.region for ri in regionals}, {ri.identity.name for ri in regionals})
    out: dict[int, list[Blocker]] = {}
    for ri in regionals:
        identity = ri.identity
        if ri.region_id not in region_states:
            region_states[ri.region_id] = region_state(ri.region, now=now)
        others = [
            code for rid, code in present.get(ri.identity_id, {}).items() if rid != ri.region_id
        ]
        state = identity_state(
            ri,
            domain_verified=(identity.account_id, ri.region_id, identity.domain.lower()) in domains,
            other_regions=others,
            deed_parent=deed_parent_state(ri, by_code),
            advice=advice.get((ri.region_id, identity.name), ()) if ri.present else (),
        )
        checks = [] if identity.is_email else checks_by_ri.get(ri.pk, [])
        out[ri.pk] = blockers_for(state, region_states[ri.region_id], checks)
    return out
