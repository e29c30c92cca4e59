"""What a send check says: why an address passes or fails, and the fixes for unverified
addresses (each with the action that carries it out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from identities.blockers import coverage
from identities.blockers.engine import IdentityState
from identities.sendcheck.addresses import SIMULATOR_DOMAIN, bare_address, domain_of
from identities.sendcheck.result import FixAction


def sender_reason(role: str, address: str, via: IdentityState, where: str) -> str:
    if coverage.identity_key(via.name) == coverage.identity_key(bare_address(address)):
        return f"The {role} {address} is verified in {where}."
    return f"The {role} {address} is verified in {where} through the identity {via.name}."


def unverified_reason(
    role: str, address: str, identities: Mapping[str, IdentityState], where: str
) -> str:
    found = coverage.governing(bare_address(address), identities)
    if found is None:
        return (
            f"The {role} {address} is not verified in {where}: no identity there covers it "
            f"(neither the address nor {domain_of(address)} or a parent domain)."
        )
    status = (found.verification_status or "unknown").lower().replace("_", " ")
    if coverage.identity_key(found.name) == coverage.identity_key(bare_address(address)):
        return f"The {role} {address} is an identity in {where} but not verified ({status})."
    return (
        f"The {role} {address} is covered by the identity {found.name} in {where}, which is "
        f"not verified ({status}): SES applies the most specific identity."
    )


def verification_fixes(
    senders: Sequence[str], recipients: Sequence[str], where: str
) -> dict[str, FixAction]:
    """Each fix (in order) with the action that carries it out."""
    fixes = {
        f"Verify {address} in {where} (its owner clicks the link SES mails), or verify its "
        f"domain {domain_of(address)} there by publishing the DNS records.": FixAction(
            "identity", bare_address(address)
        )
        for address in senders
    }
    if recipients:
        fixes[f"Request production access for {where} so that any recipient is allowed."] = (
            FixAction("production_access")
        )
        named = ", ".join(recipients[:3]) + (" and others" if len(recipients) > 3 else "")
        fixes[
            f"Until then, verify {named} in {where}, or test with success@{SIMULATOR_DOMAIN}."
        ] = FixAction("identity", bare_address(recipients[0]))
    return fixes
