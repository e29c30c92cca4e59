"""Which identities are blocked somewhere, over the whole filtered set (the grid's counters
and its "blocked only" filter), in SQL and in a fixed number of queries.

A present cell is blocked iff its account-region blocks every identity (shut down, sending
paused, quota used up: decided here in Python, one region at a time) or its row's stored
`blocking` flag says so (identities/blockers/flags.py explains why that split is exact). So the
blocked cells are one indexed query on few rows, whatever the number of identities.

tests/identities/views/test_grid.py checks the grid's answer against the engine on every
state; tests/identities/blockers/test_flags.py checks the flag itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from identities.blockers.flags import refresh_unknown, region_blocks
from identities.blockers.states import region_state
from identities.models import Identity, RegionalIdentity
from identities.selectors.columns import Column


def blocked_cells(
    identities: QuerySet[Identity], columns: Sequence[Column], now: datetime, *, narrowed: bool
) -> QuerySet[RegionalIdentity]:
    """The blocked cells of these identities in the shown columns (a lazy queryset).

    narrowed: `identities` is more than "every identity of the columns' accounts" (a name or
    kind filter). If not, the region filter alone says it, without a join."""
    shown = [c.region.pk for c in columns]
    whole = [c.region.pk for c in columns if region_blocks(region_state(c.region, now=now))]
    cells = RegionalIdentity.objects.filter(
        Q(blocking=True) | Q(region_id__in=whole), present=True, region_id__in=shown
    )
    if narrowed:
        cells = cells.filter(identity__in=identities.order_by().values("pk"))
    return cells.order_by()


@dataclass
class Blocked:
    identities: QuerySet[Identity]  # blocked in a shown column, ordered like the grid
    cells: QuerySet[RegionalIdentity]

    def count(self) -> int:
        """How many identities (one query on the blocked cells, no join)."""
        return self.cells.values("identity_id").distinct().count()


def blocked_identities(
    identities: QuerySet[Identity], columns: Sequence[Column], now: datetime, *, narrowed: bool
) -> Blocked:
    """The identities blocked in at least one shown column; sets each column's `blocked`
    count. Two queries (three when some flags were never computed), however many rows."""
    refresh_unknown([c.region.pk for c in columns])
    cells = blocked_cells(identities, columns, now, narrowed=narrowed)
    # COUNT(*), not COUNT(id): an index-only scan of the partial index ri_blocked.
    counts = dict(cells.values_list("region_id").annotate(n=Count("*")))
    for column in columns:
        column.blocked = counts.get(column.region.pk, 0)
    return Blocked(identities.filter(pk__in=cells.values("identity_id")), cells)
