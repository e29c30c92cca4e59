"""Sending through a global (multi-region) endpoint: what stops it, per endpoint and per
identity. Pure functions over the engine's plain states (no ORM, no I/O).

A global endpoint splits SendEmail traffic between its primary and its secondary region
(SES guide, "Global endpoints"; SES.md): mail from an identity goes out of either region, so
the identity must be able to send from both. In each of the two regions:

- the account has production access (the sandbox only warns in the grid, it blocks here:
  half the traffic would be limited to verified recipients and 200 messages a day),
  sending enabled and is not shut down (the engine's account rules);
- the identity exists and is verified, with sending enabled (the engine's identity rules);
- a domain signs with DKIM (status SUCCESS, signing on): DKIM that only one region signs
  with fails DMARC for half the mail. A DEED replica of the other region is the intended
  setup (one set of DNS records serves both regions, identities/blockers/deed.py). An address
  signs with its domain's keys: DKIM is judged on domain identities.

The endpoint itself is ready when SES says READY, both regions are synced by sesops and
pass the account rules, and at least one identity can send through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from identities.blockers.account import account as account_rules
from identities.blockers.account import stale as stale_rules
from identities.blockers.deed import deed_parent_ok, parent_region_of
from identities.blockers.engine import blockers_for, is_blocked
from identities.blockers.types import (
    ADD_TO_REGION,
    BLOCKING,
    PUBLISH_DNS,
    REQUEST_PRODUCTION_ACCESS,
    SYNC_NOW,
    Blocker,
    DnsState,
    IdentityState,
    RegionState,
)

READY = "READY"
DKIM_SIGNS = "SUCCESS"  # with signing on, a domain signs its mail
# The engine's DKIM warnings: sending through an endpoint turns them into one blocker.
_DKIM_CODES = ("dkim_pending", "dkim_failed", "dkim_signing_disabled")
_NO_DKIM = "DKIM is not set up"
_DKIM_WHY = {
    "PENDING": "SES has not found the DKIM records yet",
    "FAILED": "DKIM failed",
    "TEMPORARY_FAILURE": "DKIM is failing for now",
}
_STATUS_TEXT = {
    "CREATING": (
        "SES is still creating the endpoint: it cannot take mail yet.",
        "Wait for SES to finish (usually minutes), then sync the primary region.",
    ),
    "FAILED": (
        "SES could not provision the endpoint.",
        "Delete the endpoint in SES and create it again once both regions are ready.",
    ),
    "DELETING": (
        "SES is deleting the endpoint.",
        "Send through a region's own endpoint, or create a new global endpoint.",
    ),
}


@dataclass(frozen=True)
class EndpointRegion:
    """One of an endpoint's two regions: its code, and its state when sesops syncs it."""

    code: str
    state: RegionState | None


def dkim_setup(identity: IdentityState | None) -> str:
    """How a domain signs in one region, in a few words ("" for an address or an absent one)."""
    if identity is None or not identity.present or identity.is_email:
        return ""
    parent = parent_region_of(identity.dkim_origin)
    if parent:
        return f"DEED replica of {parent}"
    if (identity.dkim_origin or "").upper() == "EXTERNAL":
        return "BYODKIM"
    return "Easy DKIM"


def _sandbox(region: RegionState) -> list[Blocker]:
    if region.production_access_enabled is None:
        return [
            Blocker(
                "endpoint_sandbox",
                BLOCKING,
                f"sesops has not read whether {region.code} has production access.",
                f"Sync {region.code} (GetAccount) to find out.",
                SYNC_NOW,
            )
        ]
    if region.production_access_enabled:
        return []
    return [
        Blocker(
            "endpoint_sandbox",
            BLOCKING,
            f"{region.code} is in the SES sandbox: half of the endpoint's mail would go out "
            "to verified recipients only, at most 200 messages a day.",
            f"Request production access for {region.code}: a global endpoint needs it in both "
            "regions.",
            REQUEST_PRODUCTION_ACCESS,
        )
    ]


def _account(region: RegionState) -> list[Blocker]:
    """The engine's account rules, with the sandbox blocking (see the module docstring)."""
    found = [b for b in account_rules(region) if b.code != "sandbox"]
    return _sandbox(region) + found + stale_rules(region)


def region_lets_through(region: RegionState | None) -> bool:
    """Can any identity send through the endpoint out of this region? False when sesops does
    not sync it, or its account-level rules block every identity there (the sandbox, shut
    down, sending paused, quota used up).

    Where it lets through, `for_identity` blocks an identity exactly when it is absent, its
    stored per-row flag says it is blocked for reasons of its own (identities/blockers/
    flags.py: the engine's blocking rules minus the account's), or it is a domain whose DKIM
    is not SUCCESS with signing on: the endpoint's rules add only the sandbox (region-level)
    and DKIM to the engine's, and turn no other warning into a block. The regions page counts
    the identities that can send in SQL on that basis (identities/selectors/endpoints.py);
    tests/identities/views/test_regions_endpoints.py checks the count against these rules."""
    return region is not None and not is_blocked(_sandbox(region) + account_rules(region))


def for_endpoint(status: str, regions: Sequence[EndpointRegion]) -> list[Blocker]:
    """What stops the endpoint itself, whatever the identity: SES's status, then each
    region's account state (a region sesops does not sync cannot be vouched for)."""
    found: list[Blocker] = []
    status = (status or "").upper()
    if status != READY:
        message, remedy = _STATUS_TEXT.get(
            status,
            (f"SES reports the endpoint as {status or 'unknown'}.", "Sync the primary region."),
        )
        found.append(Blocker("endpoint_not_ready", BLOCKING, message, remedy, None))
    for region in regions:
        if region.state is None:
            found.append(
                Blocker(
                    "endpoint_region_not_synced",
                    BLOCKING,
                    f"sesops does not sync {region.code} for this account, so nothing is known "
                    "of the identities and the account there.",
                    f"Add {region.code} to SESOPS_REGIONS (or to the account in the admin) and "
                    "sync it.",
                    None,
                )
            )
            continue
        found += _account(region.state)
    return sorted(found, key=lambda b: not b.blocking)


def for_identity(
    identity: IdentityState,
    region: RegionState,
    dns: Sequence[DnsState] = (),
    *,
    other: IdentityState | None,
    other_region: str,
) -> list[Blocker]:
    """What stops `identity` from sending through the endpoint out of `region`; `other` is
    the same identity in the endpoint's other region (for the DEED remedy)."""
    found: list[Blocker] = []
    for b in blockers_for(identity, region, dns):
        if b.code == "sandbox" or b.code in _DKIM_CODES:
            continue  # replaced below by the endpoint's own, blocking, versions
        if b.code == "not_in_region":
            b = _missing(identity, region, other, other_region)
        found.append(b)
    if identity.present:
        found = _sandbox(region) + found + _dkim(identity, region, other, other_region)
    return sorted(found, key=lambda b: not b.blocking)


def _deed_from(other: IdentityState | None, other_region: str) -> str:
    """`other_region` when the identity there could be this region's DEED parent."""
    if other is None or not other.present or other.is_email:
        return ""
    ok = deed_parent_ok(other.verification_status, other.dkim_origin)
    return other_region if ok and (other.dkim_status or "").upper() == "SUCCESS" else ""


def _missing(
    identity: IdentityState, region: RegionState, other: IdentityState | None, other_region: str
) -> Blocker:
    parent = _deed_from(other, other_region)
    how = (
        f"Add it to {region.code} as a DEED replica of {parent}: it signs with {parent}'s keys "
        "and needs no DNS records of its own."
        if parent and not identity.is_email
        else f"Create the identity in {region.code} and verify it there."
    )
    return Blocker(
        "not_in_region",
        BLOCKING,
        f"The identity does not exist in {region.code}: the endpoint sends half of its mail "
        "from there.",
        how,
        ADD_TO_REGION,
    )


def _dkim(
    identity: IdentityState, region: RegionState, other: IdentityState | None, other_region: str
) -> list[Blocker]:
    if identity.is_email:
        return []
    status = (identity.dkim_status or "").upper()
    if status == DKIM_SIGNS and identity.dkim_signing_enabled is not False:
        return []
    why = "signing is turned off" if status == "SUCCESS" else _DKIM_WHY.get(status, _NO_DKIM)
    parent = _deed_from(other, other_region)
    own_parent = parent_region_of(identity.dkim_origin)
    if own_parent:
        remedy = (
            f"It is a DEED replica of {own_parent}: fix DKIM of the identity in {own_parent}, "
            "the replica follows it."
        )
    elif parent:
        remedy = (
            f"Make the identity in {region.code} a DEED replica of {parent} (the intended "
            "setup for a global endpoint: one set of DKIM records serves both regions)."
        )
    else:
        remedy = f"Publish the DKIM records SES expects in {region.code} and turn signing on."
    return [
        Blocker(
            "endpoint_dkim",
            BLOCKING,
            f"Mail sent through {region.code} is not signed for {identity.name} ({why}): "
            "DMARC fails for the share of the endpoint's mail that leaves from there.",
            remedy,
            PUBLISH_DNS,
        )
    ]


def with_identities(found: list[Blocker], *, ready: int, total: int) -> list[Blocker]:
    """The endpoint's blockers once its identities are judged: no identity able to send
    through it leaves it unusable, whatever its own state."""
    if ready:
        return found
    message = (
        f"None of the {total} identities in its regions can send through it yet."
        if total
        else "Neither of its regions holds an identity yet."
    )
    extra = Blocker(
        "endpoint_no_identity",
        BLOCKING,
        message,
        "Fix what the identities' cells name, in both regions.",
        None,
    )
    return sorted([*found, extra], key=lambda b: not b.blocking)
