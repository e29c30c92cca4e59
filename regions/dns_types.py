"""The DNS-writing interface: what any DNS provider behind "publish records" must offer.

Route 53 (regions/route53.py) is the one provider today. The interface is deliberately
small — find the zones that may serve a domain, read the record sets at some names, apply
one atomic batch, ask whether it is live — so another provider (Cloudflare's API, say) can
be added behind it without touching the planner or the pages. Names are ASCII, lower case,
without the final dot; values are in presentation format (TXT with its quotes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CREATE, UPSERT, DELETE = "CREATE", "UPSERT", "DELETE"
PENDING, INSYNC = "PENDING", "INSYNC"


class DnsProviderError(Exception):
    """Any failure of a DNS provider's call. `permanent`: retrying the same call cannot help."""

    permanent: bool = True


def dns_name(name: str) -> str:
    """`Example.COM.` -> `example.com` (how names are compared everywhere here)."""
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True)
class HostedZone:
    """One zone a provider holds for one account."""

    id: str
    name: str  # the apex, e.g. "example.com"
    private: bool = False
    nameservers: tuple[str, ...] = ()  # the provider's nameservers for it (filled by describe)
    account: str = ""  # the sesops account label it was found under
    provider: str = "route53"


@dataclass(frozen=True)
class RecordSet:
    """All the values of one name and type, with one TTL (a Route 53 "resource record set")."""

    name: str
    rtype: str
    ttl: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class RecordChange:
    """One change of a batch. A DELETE carries the record set exactly as it is now."""

    action: str  # CREATE | UPSERT | DELETE
    record_set: RecordSet


@dataclass(frozen=True)
class ChangeReceipt:
    id: str
    status: str  # PENDING | INSYNC
    submitted_at: datetime | None = None


class DnsWriter(Protocol):
    """One account's DNS provider. Every method raises a DnsProviderError (a subclass of the
    provider's own), whose `permanent` attribute says whether retrying could help."""

    def find_zones(self, domain: str) -> list[HostedZone]:
        """Public zones whose apex is `domain` or one of its parents, longest apex first,
        each with its nameservers."""
        ...

    def record_sets(self, zone: HostedZone, names: Iterable[str]) -> list[RecordSet]:
        """Every record set of `zone` at any of `names`."""
        ...

    def apply(
        self, zone: HostedZone, changes: Sequence[RecordChange], *, comment: str = ""
    ) -> ChangeReceipt:
        """Apply every change or none."""
        ...

    def change_status(self, change_id: str) -> ChangeReceipt:
        """Has the change reached every nameserver (INSYNC)?"""
        ...
