"""The queries behind the bulk adapters (states.py) and the stored flag (flags.py): each
reads what many cells need in one query, whatever the number of identities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.db.models import F, Prefetch

from identities.blockers.engine import DnsState
from identities.blockers.types import is_verified_row
from identities.models import ENGINE_FIELDS, PROBLEM_VERDICTS, DnsCheck, Identity, RegionalIdentity


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


def regionals_for(identity_ids: Iterable[int]) -> list[RegionalIdentity]:
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


def cell_regionals(
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


def present_codes(rows: Iterable[RegionalIdentity]) -> dict[int, dict[int, str]]:
    """identity id -> {region id: region code} where the identity is present."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for ri in rows:
        if ri.present:
            out[ri.identity_id][ri.region_id] = ri.region_code
    return out
