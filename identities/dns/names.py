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
    if not (value or "").strip():
        return None
    return parse_host_port(value, default_port, variable="SESOPS_DNS_RESOLVER", ip_only=True)


_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}\.?$")


def parse_host_port(
    value: str, default_port: int, *, variable: str, ip_only: bool = False
) -> tuple[str, int]:
    """`host[:port]` (IPv6 as `[addr]:port`) → (host, port); a bad value names `variable`."""
    text = (value or "").strip()
    host, port_text = text, ""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidResolverSetting(f"{variable}={value!r}: expected [IPv6]:port")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError as exc:
        if ip_only or not _HOSTNAME.match(host.lower()):
            kind = "an IP address" if ip_only else "an IP address or host name"
            raise InvalidResolverSetting(
                f"{variable}={value!r}: {host!r} is not {kind} (use host[:port], or [IPv6]:port)"
            ) from exc
        host = host.lower().rstrip(".")
    port = default_port
    if port_text or text.endswith(":"):
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InvalidResolverSetting(
                f"{variable}={value!r}: port {port_text!r} is not a number from 1 to 65535"
            )
        port = int(port_text)
    return host, port
