"""The stored flag `RegionalIdentity.blocking`: is the identity blocked in its region for
reasons of its own? The grid counts and filters "blocked" in SQL from it.

Why stored: the counters and the "blocked only" filter cover every identity, and running the
engine on all of them after each change is too slow at scale (benchmarks/README.md, "Figures
behind design choices").

Why it is exact: the engine's rules split in two. `account.account` reads only the
account-region (shut down, sending paused, quota used up). Every other rule reads only the
identity's own row, its domain's verification in the same region and its DNS checks; they use
the region's code in texts only, and `sandbox` and `stale` are warnings. So a present cell is
blocked iff `region_blocks(its region)` or its row's flag, and the flag is the engine's own
answer for a region that blocks nothing. tests/identities/blockers/test_flags.py checks this
against the engine on every state.

Who writes it: each writer of a row's state, in its transaction. The sync holds the rows it
changes in memory and computes their flags there (`set_flags_in_region`), written with its
own bulk writes; the DNS probe (identities/dns/service.py) and "add to region"
(identities/actions.py) call `refresh_blocking` after their write. A row's flag depends on
its own state only: SES judges an address identity by its own status, not its domain's
(coverage.py), so a domain's change moves no address's flag and the writers recompute only
the rows they wrote (the domain's state only changes the wording of an address's blocker,
which the engine renders when the page is shown). NULL means "not computed yet" (rows
written by other means, e.g. before the migration that added the flag): `migrate` computes
those (identities/apps.py), the next sync of their region too, and the grid before it
counts (`refresh_unknown`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from identities.blockers import account
from identities.blockers.engine import (
    DnsState,
    RegionState,
    blockers_for,
    is_blocked,
    without_account_blocks,
)
from identities.blockers.queries import CELL_FIELDS, PlainRow, problem_checks, verified_domains
from identities.blockers.states import identity_state
from identities.blockers.types import is_verified_row
from identities.models import Identity, RegionalIdentity
from regions.batching import batches

CHUNK = 2000  # rows per read and UPDATE (well under SQLite's bound-parameter limit)

# A region in which nothing blocks at account level: what remains blocking is the identity's.
_NEUTRAL = without_account_blocks()

_FIELDS = (
    *CELL_FIELDS,
    "blocking",
    "identity__name",
    "identity__kind",
    "identity__domain",
    "identity__account_id",
)


def region_blocks(region: RegionState) -> bool:
    """Does the account-region itself stop every identity (shut down, paused, quota)?"""
    return is_blocked(account.account(region))


def own_blocking(identity: Any, dns: Sequence[DnsState]) -> bool:
    """The flag for one row: blocked by the identity's own state (never when absent)."""
    if not identity.present:
        return False  # an absent cell is "not in region", counted apart from blocked cells
    return is_blocked(blockers_for(identity, _NEUTRAL, dns))


def flag_for(ri: Any, *, domain_verified: bool, checks: Sequence[DnsState]) -> bool:
    """One row's flag; `ri` needs `.identity` (name, kind, is_email). An address reads no DNS
    checks of its own (it inherits its domain's) and may be verified through its domain."""
    state = identity_state(ri, domain_verified=domain_verified)
    return own_blocking(state, [] if ri.identity.is_email else checks)


def verified_domains_among(rows: Mapping[str, RegionalIdentity]) -> set[str]:
    """The names (lower-cased) of the present, verified domains among `rows`, by name."""
    return {
        name.lower()
        for name, ri in rows.items()
        if ri.present
        and not ri.identity.is_email
        and is_verified_row(ri.verified_for_sending, ri.verification_status)
    }


def set_flags_in_region(
    rows: Mapping[str, RegionalIdentity],
    changed: Iterable[RegionalIdentity],
    *,
    verified: Collection[str] | None = None,
) -> list[RegionalIdentity]:
    """The sync's path: it holds the rows it changed in memory (`rows`, by name, with their
    identities), so their flags are computed there, without reading the rows back. Sets
    `blocking` on those rows (and on every row of `rows` whose flag is still unknown) and
    returns the ones whose flag moved; the caller writes them with its own INSERT/UPDATE.
    `verified`: the region's verified domains, lower-cased (default: those among `rows`,
    when they are the whole region). One query (the changed domains' DNS checks)."""
    # By id(): rows about to be created have no primary key, so they cannot be hashed.
    todo = {id(ri): ri for ri in changed}
    todo.update((id(ri), ri) for ri in rows.values() if ri.blocking is None)
    if not todo:
        return []
    if verified is None:
        verified = verified_domains_among(rows)
    checks = problem_checks(ri.pk for ri in todo.values() if ri.pk and not ri.identity.is_email)
    moved = []
    for ri in todo.values():
        flag = flag_for(
            ri,
            domain_verified=ri.identity.domain.lower() in verified,
            checks=checks.get(ri.pk, []),
        )
        if ri.blocking is not flag:
            ri.blocking = flag
            moved.append(ri)
    return moved


def compute(rows: Sequence[dict[str, Any]]) -> dict[int, bool]:
    """RegionalIdentity id -> flag, for `values(*_FIELDS)` rows. Two queries."""
    email = Identity.Kind.EMAIL
    domains = verified_domains(
        {r["identity__account_id"] for r in rows},
        {r["identity__domain"] for r in rows if r["identity__kind"] == email},
    )
    dns = problem_checks(r["id"] for r in rows if r["identity__kind"] != email)
    flags: dict[int, bool] = {}
    for row in rows:
        kind = row["identity__kind"]
        identity = SimpleNamespace(name=row["identity__name"], kind=kind, is_email=kind == email)
        ri = PlainRow(identity=identity, **{k: v for k, v in row.items() if "__" not in k})
        key = (row["identity__account_id"], row["region_id"], row["identity__domain"].lower())
        flags[row["id"]] = flag_for(
            ri, domain_verified=key in domains, checks=dns.get(row["id"], [])
        )
    return flags


def refresh_blocking(ids: Iterable[int], *, skip_locked: bool = False) -> int:
    """Recompute the flag of these rows and write the ones that differ; returns how many.

    Call it inside the writer's transaction, after the write: on
    PostgreSQL the rows are read FOR UPDATE, so a concurrent writer's newer state is never
    overwritten by an older one. skip_locked: leave rows a writer holds to that writer.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    changed = 0
    with transaction.atomic():
        for chunk in batches(wanted, CHUNK):
            rows = list(
                RegionalIdentity.objects.select_for_update(of=("self",), skip_locked=skip_locked)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values(*_FIELDS)
            )
            flags = compute(rows)
            for value in (True, False):
                moved = [
                    r["id"] for r in rows if flags[r["id"]] is value and r["blocking"] is not value
                ]
                if moved:
                    changed += RegionalIdentity.objects.filter(pk__in=moved).update(blocking=value)
    return changed


def refresh_unknown(region_ids: Iterable[int] | None = None) -> int:
    """Compute the flags still NULL (in these regions); returns how many were written.

    Rows a writer holds are skipped: that writer computes them before it commits."""
    qs = RegionalIdentity.objects.filter(blocking__isnull=True).order_by()
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    ids = list(qs.values_list("pk", flat=True))
    return refresh_blocking(ids, skip_locked=True) if ids else 0
