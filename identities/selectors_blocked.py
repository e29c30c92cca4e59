"""Which identities are blocked somewhere, over the whole filtered set (the grid's counters
and its "blocked only" filter), in a fixed number of queries and without building models.

Step 1, SQL: a cheap pre-filter returns the candidates, a superset of what the blockers
engine can call blocking. A cell is blocked only when the account-region itself blocks (shut
down, sending paused, quota used up) or when the identity's own row is unverified, has sending
disabled, or has a MAIL FROM in trouble; rows that pass none of those tests cannot be blocked.
Step 2, Python: the engine itself (identities.blockers) decides for the candidates, from
plain `values()` rows — at 5,000 identities, model instances cost seconds, tuples do not.

tests/identities/test_views_grid.py checks the shortcut against the engine on every state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from identities.blockers import DnsState, blockers_for, is_blocked
from identities.models import PROBLEM_VERDICTS, DnsCheck, Identity, RegionalIdentity
from identities.states import CELL_FIELDS, identity_state, region_state, verified_domains

if TYPE_CHECKING:
    from identities.selectors import Column

_RI_FIELDS = (
    *CELL_FIELDS,
    "region__code",
    "identity__name",
    "identity__kind",
    "identity__domain",
    "identity__account_id",
)


def region_blocks(column: Column) -> bool:
    """Account-level states that block every identity of the region (a superset of the
    engine's account rules: any enforcement status other than HEALTHY counts)."""
    r = column.region
    quota, sent = r.max_24_hour_send, r.sent_last_24_hours
    exhausted = quota is not None and quota != -1 and sent is not None and sent >= quota
    return (
        r.sending_enabled is False
        or (r.enforcement_status or "").upper() not in ("", "HEALTHY")
        or exhausted
    )


def candidates(identities: QuerySet[Identity], columns: Sequence[Column]) -> QuerySet:
    """Subquery: ids of identities that might be blocked in a shown column (a superset)."""
    verified = Q(verified_for_sending=True) | Q(
        verified_for_sending__isnull=True, verification_status="SUCCESS"
    )
    suspicious = (
        ~verified
        | Q(sending_enabled=False)
        | (~Q(mail_from_domain="") & ~Q(mail_from_status__in=["", "SUCCESS"]))
        | Q(region_id__in=[c.region.pk for c in columns if region_blocks(c)])
    )
    return (
        RegionalIdentity.objects.filter(
            suspicious,
            present=True,
            region_id__in=[c.region.pk for c in columns],
            identity__in=identities.order_by().values("pk"),
        )
        .order_by()
        .values("identity_id")
    )


class _Row(SimpleNamespace):
    """Just enough of a RegionalIdentity for identities.states.identity_state."""


def blocked_identities(
    identities: QuerySet[Identity], columns: list[Column], now: datetime
) -> list[int]:
    """Ids of identities blocked in at least one shown column, sorted like the grid (name,
    account label, id); adds each column's count to `column.blocked`. Three or four queries."""
    subquery = candidates(identities, columns)
    rows = list(RegionalIdentity.objects.filter(identity_id__in=subquery).values(*_RI_FIELDS))
    if not rows:
        return []
    by_region = {c.region.pk: c for c in columns}
    dns: dict[int, list[DnsState]] = defaultdict(list)
    # Only bad records make blockers (identities.blockers_rules.dns_records): most checks are
    # `ok`, so fetching only the others keeps this query small.
    for rid, purpose, name, rtype, verdict, severity, diagnosis in DnsCheck.objects.filter(
        regional_identity__identity_id__in=subquery,
        regional_identity__region_id__in=list(by_region),
        verdict__in=PROBLEM_VERDICTS,
    ).values_list(
        "regional_identity_id", "purpose", "name", "rtype", "verdict", "severity", "diagnosis"
    ):
        dns[rid].append(DnsState(purpose, name, rtype, verdict, severity, diagnosis))
    present: dict[int, dict[int, str]] = defaultdict(dict)
    for row in rows:
        if row["present"]:
            present[row["identity_id"]][row["region_id"]] = row["region__code"]
    email = Identity.Kind.EMAIL
    domains = verified_domains(
        {r["identity__account_id"] for r in rows},
        {r["identity__domain"] for r in rows if r["identity__kind"] == email},
    )
    states = {pk: region_state(c.region, now=now) for pk, c in by_region.items()}
    blocked: dict[int, tuple[str, str]] = {}
    for row in rows:
        column = by_region.get(row["region_id"])
        if column is None or not row["present"]:
            continue  # not a shown column, or absent: never "blocked"
        identity = SimpleNamespace(
            name=row["identity__name"],
            kind=row["identity__kind"],
            is_email=row["identity__kind"] == email,
        )
        ri = _Row(identity=identity, **{k: v for k, v in row.items() if "__" not in k})
        others = [c for rid, c in present[row["identity_id"]].items() if rid != row["region_id"]]
        state = identity_state(
            ri,
            domain_verified=(row["identity__account_id"], row["region_id"], row["identity__domain"])
            in domains,
            other_regions=others,
        )
        checks = [] if identity.is_email else dns.get(row["id"], [])
        if is_blocked(blockers_for(state, states[row["region_id"]], checks)):
            column.blocked += 1
            blocked[row["identity_id"]] = (identity.name, column.region.account.label)
    return sorted(blocked, key=lambda pk: (*blocked[pk], pk))
