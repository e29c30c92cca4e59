"""Addresses as the user gives them to the send check: validated, case kept.

SES's rejection lists the addresses as they were given (display names included), and
address identities are case-sensitive, so the send check never rewrites what was typed:
it keeps the given text and reads the bare address out of it when it needs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_LOCALS = frozenset({"success", "bounce", "ooto", "complaint", "suppressionlist"})
_SEPARATORS = ",;\n\r"


class InvalidAddress(ValueError):
    """A from/to value that is not an email address; str() is the message to show."""


def bare_address(given: str) -> str:
    """The address inside `given` (`"Jane" <Jane@Example.com>` -> `Jane@Example.com`)."""
    return parseaddr(given or "")[1].strip()


def given_address(text: str) -> str:
    """`text` stripped, once checked to hold one valid address (display name allowed)."""
    raw = (text or "").strip()
    addr = bare_address(raw)
    try:
        validate_email(addr)
    except ValidationError:
        raise InvalidAddress(f"'{raw}' is not a valid email address") from None
    return raw


def _split(text: str) -> list[str]:
    """Split on commas, semicolons and new lines outside quotes and angle brackets, so a
    display name such as "Doe, Jane" stays whole."""
    parts, current, quoted, angled = [], [], False, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        if char in _SEPARATORS and not quoted and not angled:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def split_recipients(text: str | Iterable[str]) -> list[str]:
    """Given recipients (separated by commas, semicolons or new lines, or given as a list),
    each checked; an address given twice (same bare address) counts once."""
    parts = _split(text) if isinstance(text, str) else [p for t in text for p in _split(t)]
    out: list[str] = []
    seen: set[str] = set()
    for part in parts:
        if part.strip():
            given = given_address(part)
            if bare_address(given) not in seen:
                seen.add(bare_address(given))
                out.append(given)
    return out


def is_simulator(address: str) -> bool:
    """SES's mailbox simulator, plus-labels allowed (`success+test@simulator.amazonses.com`)."""
    local, _, domain = bare_address(address).rpartition("@")
    return domain.lower() == SIMULATOR_DOMAIN and local.split("+", 1)[0].lower() in SIMULATOR_LOCALS


def domain_of(address: str) -> str:
    return bare_address(address).rpartition("@")[2].lower()
