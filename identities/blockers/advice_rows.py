"""Stored VDM recommendations (regions.SesRecommendation) -> the engine's Advice, keyed by
(region id, identity name). One query, and none at all when no region has VDM enabled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
    out: dict[tuple[int, str], list[Advice]] = defaultdict(list)
    for region_id, name, kind, impact, description in rows:
        out[(region_id, name)].append(Advice(kind, impact, description))
    return {key: tuple(items) for key, items in out.items()}
