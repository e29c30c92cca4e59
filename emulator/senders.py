"""Which identity decides whether an address may be used, as SES decides it.

SES guide, "Creating and verifying identities": a verified domain covers every address at
it and at every subdomain, any depth, as a sender and (sandbox) as a recipient; when a
subdomain or an address is an identity of its own, the most specific identity's status
and settings apply. Domains compare case-insensitively, address identities
case-sensitively; a plus-label is covered by the address without it.

sesops has its own implementation of this rule (the emulator is never imported by the
apps); both are tested against the same table of cases (tests/ses_rule_cases.py).
"""

from __future__ import annotations

from email.utils import parseaddr

from emulator.state import Identity, Region

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_LOCALS = {"success", "bounce", "ooto", "complaint", "suppressionlist"}


def bare_address(raw: str) -> str:
    """`"Jane" <Jane@Example.com>` -> `Jane@Example.com` (case kept)."""
    return parseaddr(raw or "")[1].strip()


def candidates(address: str) -> list[str]:
    """Identity names that may cover `address`, most specific first."""
    local, _, domain = address.rpartition("@")
    domain = domain.lower().rstrip(".")
    names = [f"{local}@{domain}"]
    base = local.split("+", 1)[0]
    if base and base != local:
        names.append(f"{base}@{domain}")
    labels = domain.split(".")
    names += [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return names


def governing_identity(reg: Region, address: str) -> Identity | None:
    """The most specific identity of the region that covers `address`, if any."""
    for name in candidates(address):
        ident = reg.identities.get(name)
        if ident is not None:
            return ident
    return None


def is_simulator(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return domain.lower() == SIMULATOR_DOMAIN and local.split("+", 1)[0].lower() in SIMULATOR_LOCALS
