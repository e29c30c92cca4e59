"""Stored VDM recommendations (regions.SesRecommendation) -> the engine's Advice, keyed by
(region id, identity name). One query, and none at all when no region has VDM enabled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from identities.blockers.advice import Advice
from regions.models import Region, SesRecommendation

AdviceMap = dict[tuple[int, str], tuple[Advice, ...]]


def advice_for(regions: Iterable[Region], names: Iterable[str]) -> AdviceMap:
    region_ids = [r.pk for r in regions if r.vdm_enabled]
    wanted = set(names)
    if not region_ids or not wanted:
        return {}
    rows = (
        SesRecommendation.objects.filter(region_id__in=region_ids, identity_name__in=wanted)
        .order_by("id")
        .values_list("region_id", "identity_name", "type", "impact", "description")
    )
    return advice_map(rows)


def advice_map(rows: Iterable[tuple[int, str, str, str, str]]) -> AdviceMap:
    """(region id, identity name, type, impact, description) rows, in SES's order (by id)."""
    out: dict[tuple[int, str], list[Advice]] = defaultdict(list)
    for region_id, name, kind, impact, description in rows:
        out[(region_id, name)].append(Advice(kind, impact, description))
    return {key: tuple(items) for key, items in out.items()}


def map_of(recommendations: Iterable[Any]) -> AdviceMap:
    """The same from SesRecommendation rows already read (a page that shows them too)."""
    rows = sorted(recommendations, key=lambda r: r.pk)
    return advice_map((r.region_id, r.identity_name, r.type, r.impact, r.description) for r in rows)
