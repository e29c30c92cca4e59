"""Reads for the status grid: rows = identities, columns = account-regions.

Every read runs a fixed number of queries whatever the number of identities: the page's
identities are loaded once, their regional rows and DNS checks are prefetched for that page
only (identities.blockers.states.cells_for), and the "blocked" figures over the whole
filtered set come from identities.selectors.blocked (SQL over the stored blocking flags).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone

from identities.blockers.engine import Blocker
from identities.blockers.flags import region_blocks
from identities.blockers.states import Cell, cells_for, region_state
from identities.models import Identity
from identities.selectors import grid_version
from identities.selectors.blocked import blocked_identities
from identities.selectors.columns import Column, column_of
from identities.selectors.deed import replicas_with_unhealthy_parent
from regions.models import Region
from regions.params import query_text

PAGE_SIZE = 50
KINDS = {
    "email": Identity.Kind.EMAIL,
    Identity.Kind.EMAIL.value: Identity.Kind.EMAIL,
    "domain": Identity.Kind.DOMAIN,
    Identity.Kind.DOMAIN.value: Identity.Kind.DOMAIN,
}


@dataclass(frozen=True)
class GridFilters:
    q: str = ""
    kind: str = ""  # "" | "email" | "domain"
    account: str = ""  # account label
    region: str = ""  # region code
    blocking: bool = False
    deed_unhealthy: bool = False  # only identities with a DEED replica whose parent is unhealthy
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> GridFilters:
        kind = (params.get("kind") or "").strip().lower()
        try:
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            page = 1
        return cls(
            q=query_text(params, "q", 320),
            kind=kind if kind in ("email", "domain") else "",
            account=query_text(params, "account", 64),
            region=query_text(params, "region", 32),
            blocking=(params.get("blocking") or "") in ("1", "on", "true", "yes"),
            deed_unhealthy=(params.get("deed_unhealthy") or "") in ("1", "on", "true", "yes"),
            page=page,
        )

    def as_params(self, *, page: bool = True) -> dict[str, str]:
        """The non-empty filters, as they appear in the URL."""
        out = {
            "q": self.q,
            "kind": self.kind,
            "account": self.account,
            "region": self.region,
            "blocking": "1" if self.blocking else "",
            "deed_unhealthy": "1" if self.deed_unhealthy else "",
            "page": str(self.page) if page and self.page > 1 else "",
        }
        return {k: v for k, v in out.items() if v}


@dataclass
class Row:
    identity: Identity
    cells: list[Cell | None]  # aligned with the columns; None = a column of another account
    digest: str = ""


@dataclass
class Grid:
    filters: GridFilters
    columns: list[Column]
    rows: list[Row]
    total: int  # identities matching the filters (before pagination)
    blocked: int  # of those, blocked in at least one shown column
    page_number: int
    num_pages: int
    accounts: list[str] = field(default_factory=list)  # filter choices
    region_codes: list[str] = field(default_factory=list)
    since: str = ""  # the grid version the page reflects (live refresh)
    stale_ids: str = ""
    head_digest: str = ""

    @property
    def first_index(self) -> int:
        """1-based position of the page's first row among all matches ("1-50 of 61")."""
        return (self.page_number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def has_next(self) -> bool:
        return self.page_number < self.num_pages

    def _page_query(self, number: int) -> str:
        return urlencode({**self.filters.as_params(page=False), "page": number})

    @property
    def prev_query(self) -> str:
        return self._page_query(self.page_number - 1)

    @property
    def next_query(self) -> str:
        return self._page_query(self.page_number + 1)

    @property
    def multi_account(self) -> bool:
        return len({c.region.account_id for c in self.columns}) > 1

    @property
    def column_ids(self) -> str:
        return ",".join(str(c.region.pk) for c in self.columns)

    @property
    def row_state(self) -> str:
        return ",".join(f"{r.identity.pk}:{r.digest}" for r in self.rows)


# --- regions / columns ------------------------------------------------------------------


def visible_regions() -> list[Region]:
    """Every non-hidden region of an active account (one query)."""
    return list(
        Region.objects.select_related("account")
        .filter(hidden=False, account__is_active=True)
        .order_by("account__label", "code")
    )


def stale_signature(regions: Iterable[Region], now: datetime) -> str:
    """What the grid shows of its regions that changes without moving the grid version
    (identities/selectors/grid_version.py): which regions are stale (staleness grows with
    time), and the sending figures of a region that blocks every identity (SES's sent count
    moves with every sync, so the version ignores it; a used-up quota's blocker quotes it)."""
    regions = list(regions)
    stale = ",".join(str(r.pk) for r in regions if r.is_stale(now))
    blocks = ",".join(
        f"{r.pk}:{r.sent_last_24_hours}/{r.max_24_hour_send}"
        for r in regions
        if region_blocks(region_state(r, now=now))
    )
    return f"{stale}|{blocks}" if blocks else stale


# --- identities -------------------------------------------------------------------------


def filtered_identities(filters: GridFilters, columns: Sequence[Column]) -> QuerySet[Identity]:
    qs = Identity.objects.filter(account_id__in={c.region.account_id for c in columns})
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.lower())
    if filters.kind:
        qs = qs.filter(kind=KINDS[filters.kind])
    if filters.deed_unhealthy:
        qs = qs.filter(pk__in=replicas_with_unhealthy_parent(c.region.pk for c in columns))
    return qs.order_by("name", "account__label", "pk")


def _blocker_key(b: Blocker) -> tuple:
    return (b.code, b.severity, b.message, b.remedy, b.action)


def row_digest(identity: Identity, cells: Sequence[Cell | None]) -> str:
    """Fingerprint of everything a row shows: live refresh swaps rows whose digest changed."""
    parts: list[object] = [identity.pk, identity.name, identity.kind, identity.account.label]
    for cell in cells:
        if cell is None:
            parts.append(None)
            continue
        ri = cell.regional
        parts.append(
            (
                cell.region.pk,
                cell.status,
                tuple(_blocker_key(b) for b in cell.blockers),
                ri.verification_status if ri else "",
                ri.dkim_status if ri else "",
            )
        )
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:12]


def build_grid(
    filters: GridFilters,
    *,
    now: datetime | None = None,
    version: tuple[int, str] | None = None,
    regions: list[Region] | None = None,
) -> Grid:
    """The whole grid page. Query count is fixed (about a dozen) whatever the data size.

    `version` and `regions`, when given, were read in that order just before (the page
    cache's key); the grid is then at least as new as that version."""
    now = now or timezone.now()
    if regions is None:
        version = grid_version.current()
        regions = visible_regions()
    columns = [
        column_of(r, now)
        for r in regions
        if (not filters.account or r.account.label == filters.account)
        and (not filters.region or r.code == filters.region)
    ]
    identities = filtered_identities(filters, columns)
    narrowed = bool(filters.q or filters.kind or filters.deed_unhealthy)
    blocked = blocked_identities(identities, columns, now, narrowed=narrowed)
    if filters.blocking:
        paginator = Paginator(blocked.identities.select_related("account"), PAGE_SIZE)
        page = paginator.get_page(filters.page)
        blocked_total, total = paginator.count, identities.count()
    else:
        paginator = Paginator(identities.select_related("account"), PAGE_SIZE)
        page = paginator.get_page(filters.page)
        blocked_total, total = blocked.count(), paginator.count
    page_identities = list(page.object_list)
    cells = cells_for(page_identities, [c.region for c in columns], now=now, lean=True)
    rows = []
    for identity in page_identities:
        row_cells = [cells.get((identity.pk, c.region.pk)) for c in columns]
        rows.append(Row(identity, row_cells, row_digest(identity, row_cells)))
    head = hashlib.sha1(
        repr([c.digest_key for c in columns]).encode(), usedforsecurity=False
    ).hexdigest()[:12]
    return Grid(
        filters=filters,
        columns=columns,
        rows=rows,
        total=total,
        blocked=blocked_total,
        page_number=page.number,
        num_pages=paginator.num_pages,
        accounts=sorted({r.account.label for r in regions}),
        region_codes=sorted({r.code for r in regions}),
        since=grid_version.token(version),
        stale_ids=stale_signature(regions, now),
        head_digest=head,
    )


def changed_since(since: str, stale_ids: str, *, now: datetime | None = None) -> bool:
    """Cheap "anything new?" for live refresh: two small queries, no grid computation.

    `since` is the version token the page was built at (grid_version.token)."""
    now = now or timezone.now()
    version = grid_version.current()
    if not since or since != grid_version.token(version):
        return True
    return stale_signature(visible_regions(), now) != stale_ids


def parse_row_state(value: str) -> list[tuple[int, str]]:
    """`"12:ab12,13:cd34"` (what the page holds) -> [(12, "ab12"), (13, "cd34")]."""
    out: list[tuple[int, str]] = []
    for part in (value or "").split(","):
        pk, _, digest = part.partition(":")
        if pk and pk.isascii() and pk.isdigit():  # isdigit alone accepts "²"
            out.append((int(pk), digest))
    return out
