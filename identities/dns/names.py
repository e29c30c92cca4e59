"""Validation of the names and settings the probe is given; every failure is a DnsInputError."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class DnsInputError(ValueError):
    """Input the probe cannot work with; the message says what and why."""


class InvalidDnsName(DnsInputError):
    pass


class InvalidResolverSetting(DnsInputError):
    pass


@dataclass(frozen=True)
class AsciiName:
    name: str  # lower case, no trailing dot, A-labels (punycode)
    note: str = ""  # set when an IDN was converted, to show the user


def ascii_name(raw: str, *, what: str = "domain", min_labels: int = 2) -> AsciiName:
    """`raw` as an ASCII DNS name; an IDN is converted to punycode (and the note says so)."""
    if not isinstance(raw, str):
        raise InvalidDnsName(f"{what} must be text, not {type(raw).__name__}")
    name = raw.strip().rstrip(".").lower()
    if not name:
        raise InvalidDnsName(f"{what} is empty")
    note = ""
    if not name.isascii():
        try:
            converted = name.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidDnsName(
                f"{what} {raw!r} is not a valid internationalised name: {exc}"
            ) from exc
        note = f"{raw.strip()!r} is an internationalised name: probed as {converted!r} (punycode)"
        name = converted
    if len(name) > 253:
        raise InvalidDnsName(f"{what} {raw!r} is longer than 253 characters")
    labels = name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidDnsName(
                f"{what} {raw!r} is not a valid DNS name: label {label!r} must be 1-63 letters, "
                "digits, hyphens or underscores, not starting or ending with a hyphen"
            )
    if len(labels) < min_labels:
        raise InvalidDnsName(
            f"{what} {raw!r} needs at least {min_labels} labels (like example.com)"
        )
    return AsciiName(name, note)


def parse_resolver(value: str, default_port: int) -> tuple[str, int] | None:
    """SESOPS_DNS_RESOLVER `host[:port]` (IPv6 as `[addr]:port`) → (ip, port); "" → None."""
    text = (value or "").strip()
    if not text:
        return None
    host, port_text = text, ""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidResolverSetting(f"SESOPS_DNS_RESOLVER={value!r}: expected [IPv6]:port")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        ip = str(ipaddress.ip_address(host))
    except ValueError as exc:
        raise InvalidResolverSetting(
            f"SESOPS_DNS_RESOLVER={value!r}: {host!r} is not an IP address (use host[:port] "
            "with an IPv4 address, or [IPv6]:port)"
        ) from exc
    port = default_port
    if port_text or text.endswith(":"):
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InvalidResolverSetting(
                f"SESOPS_DNS_RESOLVER={value!r}: port {port_text!r} is not a number from 1 to 65535"
            )
        port = int(port_text)
    return ip, port
