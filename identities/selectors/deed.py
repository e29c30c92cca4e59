"""Reads about DEED families: replicas (dkim_origin AWS_SES_<REGION>) and their parents."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from django.db.models import F

from identities.blockers.deed import DEED_PREFIX, by_region_code, deed_parent_state, parent_trouble
from identities.models import RegionalIdentity


def replicas_with_unhealthy_parent(region_ids: Iterable[int]) -> set[int]:
    """Ids of the identities with a DEED replica in one of `region_ids` whose parent region's
    identity is absent, unverified or failing DKIM (the rule the blockers engine warns with).
    Two queries: the replicas, then every row of their identities."""
    replicas = list(
        RegionalIdentity.objects.filter(
            region_id__in=list(region_ids), present=True, dkim_origin__startswith=DEED_PREFIX
        ).values_list("identity_id", "dkim_origin")
    )
    if not replicas:
        return set()
    rows = (
        RegionalIdentity.objects.filter(identity_id__in={i for i, _ in replicas})
        .order_by()
        .annotate(region_code=F("region__code"))
        .values("identity_id", "region_code", "present", "verification_status", "dkim_status")
    )
    by_code = by_region_code(SimpleNamespace(**row) for row in rows)
    out: set[int] = set()
    for identity_id, origin in replicas:
        replica = SimpleNamespace(identity_id=identity_id, dkim_origin=origin)
        parent = deed_parent_state(replica, by_code)
        if parent is not None and parent_trouble(parent):
            out.add(identity_id)
    return out
