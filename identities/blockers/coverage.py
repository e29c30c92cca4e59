"""Who may send, as SES decides it: the one place sesops applies the rule.

SES guide, "Creating and verifying identities": a verified domain covers every address at
it and at every subdomain, any depth, as a sender and (in the sandbox) as a recipient;
when a subdomain or an address is an identity of its own, the most specific identity's
status and settings (DKIM, MAIL FROM, sending enabled) apply. Domain names compare
case-insensitively, address identities case-sensitively; a plus-label is covered by the
address without it.

The send check looks addresses up with `governing`; the blockers engine judges an
identity by its own status (`verified`): an identity is always the most specific identity
for its own name. The emulator has its own implementation (it is never imported by the
apps); both are tested against tests/ses_rule_cases.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

SUCCESS = "SUCCESS"
TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
T = TypeVar("T")


def identity_key(name: str) -> str:
    """How SES compares identity names: the domain part lower-cased, a local part as is."""
    name = (name or "").strip().rstrip(".")
    if "@" in name:
        local, _, domain = name.rpartition("@")
        return f"{local}@{domain.lower()}"
    return name.lower()


def candidates(address: str) -> list[str]:
    """Identity keys that may cover `address`, most specific first: the address, the address
    without its plus-label, its domain, then each parent domain."""
    key = identity_key(address)
    local, _, domain = key.rpartition("@")
    names = [key]
    base = local.split("+", 1)[0]
    if base and base != local:
        names.append(f"{base}@{domain}")
    labels = domain.split(".")
    names += [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return names


def governing(address: str, identities: Mapping[str, T]) -> T | None:
    """The most specific identity covering `address`; `identities` is keyed by identity_key
    and holds only identities present in the region."""
    for name in candidates(address):
        found = identities.get(name)
        if found is not None:
            return found
    return None


def verified(status: str, verified_for_sending: bool | None) -> bool:
    """Does SES let this identity send? Its VerificationStatus decides; SES's
    VerifiedForSendingStatus only bridges a TEMPORARY_FAILURE (SES keeps sending while it
    retries) or stands in when the status was never read."""
    status = (status or "").upper()
    if status == SUCCESS:
        return True
    if status == TEMPORARY_FAILURE or not status:
        return bool(verified_for_sending)
    return False
