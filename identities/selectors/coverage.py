"""Reads for the regions page: the account-regions to show and their identity coverage.

Coverage answers "which identities can send from here, and which ones that send from another
region of the same account are missing here?". An identity is usable in a region when SES holds
it there, verified for sending, with sending not disabled. An identity SES holds in a region is
judged by its own state there (the most specific identity decides); an address SES does not
hold there is usable where the most specific domain covering it is (its domain or a parent
domain, any depth: identities/blockers/coverage.py).

Both reads run a constant number of queries whatever the number of regions and identities.
The identities app is reached through the reverse relations only, so this module imports
nothing from it (regions never depends on identities).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from identities.blockers.coverage import candidates, identity_key
from identities.blockers.types import is_verified_row
from regions.models import Region
from regions.ses_types import DOMAIN

MISSING_SHOWN = 50  # names listed per region; the rest are counted


@dataclass
class MissingIdentity:
    name: str
    identity_id: int
    reason: str  # "absent" (not created in this region) | "not verified" | "sending disabled"


@dataclass
class Coverage:
    region_id: int
    usable_here: int = 0
    usable_elsewhere: int = 0  # usable in at least one other shown region of the account
    missing: list[MissingIdentity] = field(default_factory=list)
    missing_count: int = 0


def regions_for_page(*, show_hidden: bool = False) -> QuerySet[Region]:
    qs = Region.objects.select_related("account").filter(account__is_active=True)
    if not show_hidden:
        qs = qs.filter(hidden=False)
    return qs.order_by("account__label", "code")


def _read(
    by_id: dict[int, Region],
) -> tuple[dict[int, tuple[str, str, str, int]], dict[tuple[int, int], str]]:
    """One query: identity id -> (name, kind, domain, account id), and (identity id, region
    id) -> its state there, over every regional identity of these regions."""
    rows = (
        Region.objects.filter(pk__in=by_id, regional_identities__isnull=False)
        .values_list(
            "pk",
            "regional_identities__identity_id",
            "regional_identities__identity__name",
            "regional_identities__identity__kind",
            "regional_identities__identity__domain",
            "regional_identities__present",
            "regional_identities__verified_for_sending",
            "regional_identities__verification_status",
            "regional_identities__sending_enabled",
        )
        .order_by()
    )
    # identity id -> (name, kind, domain, account id); (identity id, region id) -> state
    identities: dict[int, tuple[str, str, str, int]] = {}
    state: dict[tuple[int, int], str] = {}
    for region_id, ident_id, name, kind, domain, present, vfs, vstatus, sending in rows:
        identities[ident_id] = (name, kind, domain, by_id[region_id].account_id)
        state[(ident_id, region_id)] = _state(present, vfs, vstatus, sending)
    return identities, state


def coverage_for(regions: Sequence[Region]) -> dict[int, Coverage]:
    """Coverage of each region, compared with the other regions of the list of the same account.

    One query: every regional identity of the given regions with its identity's name, kind and
    domain. Regions left out of the list (hidden ones) count neither as "elsewhere" nor as
    places an identity is missing from.
    """
    by_id = {r.pk: r for r in regions}
    result = {r.pk: Coverage(region_id=r.pk) for r in regions}
    if not by_id:
        return result
    identities, state = _read(by_id)

    # The account's domain identities by name, for addresses sending through their domain.
    domains: dict[tuple[int, str], int] = {
        (acct, identity_key(name)): ident_id
        for ident_id, (name, kind, _d, acct) in identities.items()
        if kind == DOMAIN
    }
    regions_of_account: dict[int, list[int]] = defaultdict(list)
    for r in regions:
        regions_of_account[r.account_id].append(r.pk)

    def usable(ident_id: int, region_id: int) -> bool:
        own = state.get((ident_id, region_id), "absent")
        name, kind, _domain, acct = identities[ident_id]
        if kind == DOMAIN or own != "absent":
            return own == "usable"  # SES judges an identity it holds by its own state
        for candidate in candidates(name)[1:]:
            cover = domains.get((acct, candidate))
            here = state.get((cover, region_id), "absent") if cover else "absent"
            if here != "absent":
                return here == "usable"  # the most specific domain SES holds here decides
        return False

    for ident_id in sorted(identities, key=lambda i: identities[i][0]):
        name, _kind, _domain, acct = identities[ident_id]
        region_ids = regions_of_account[acct]
        where = {rid for rid in region_ids if usable(ident_id, rid)}
        for rid in region_ids:
            _count(
                result[rid],
                where,
                MissingIdentity(name, ident_id, state.get((ident_id, rid), "absent")),
            )
    return result


def _count(cov: Coverage, where: set[int], missing: MissingIdentity) -> None:
    """One identity usable in the regions `where`, counted in the region of `cov`."""
    rid = cov.region_id
    if rid in where:
        cov.usable_here += 1
    if where - {rid}:
        cov.usable_elsewhere += 1
        if rid not in where:
            cov.missing_count += 1
            if len(cov.missing) < MISSING_SHOWN:
                cov.missing.append(missing)


def _state(
    present: bool | None, vfs: bool | None, vstatus: str | None, sending: bool | None
) -> str:
    if not present:
        return "absent"
    if not is_verified_row(vfs, vstatus):
        return "not verified"
    if sending is False:
        return "sending disabled"
    return "usable"
