"""Which hosted zone to write a domain's records to: pure, from what was found and probed.

Records only count where the public DNS looks: the zone the parent delegates to. A hosted
zone of the right name whose nameservers are not the delegated ones (a zone created twice,
an old account's copy) would take the records and change nothing, so it is never chosen;
the answer then names the accounts searched and the nameservers the records must go to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from regions.dns_types import HostedZone, dns_name

DELEGATED, NOT_DELEGATED, NO_ZONE, UNRESOLVED = (
    "delegated",
    "not_delegated",
    "no_zone",
    "unresolved",
)


@dataclass(frozen=True)
class ZoneChoice:
    status: str  # delegated | not_delegated | no_zone | unresolved
    zone: HostedZone | None
    searched: tuple[str, ...]  # account labels searched
    origin: str  # the zone the public DNS delegates (what the probe found)
    nameservers: tuple[str, ...]  # ... and its nameservers: where the records must go
    candidates: tuple[HostedZone, ...] = ()  # zones found that are not the delegated one
    errors: Mapping[str, str] = field(default_factory=dict)  # account label -> error

    @property
    def message(self) -> str:
        where = ", ".join(self.searched) or "no account"
        servers = ", ".join(self.nameservers) or "unknown nameservers"
        if self.status == DELEGATED and self.zone is not None:
            return f"Route 53 zone {self.zone.name} ({self.zone.id}) in account {self.zone.account}"
        if self.status == UNRESOLVED:
            return f"The delegated zone could not be found in DNS ({self.origin or 'no answer'})."
        found = "; ".join(
            f"{z.name} in {z.account} is served by {', '.join(z.nameservers) or 'no nameservers'}"
            for z in self.candidates
        )
        head = (
            f"No Route 53 zone found in {where} is the delegated one ({found})."
            if self.candidates
            else f"No public Route 53 zone for this domain in {where}."
        )
        return f"{head} The records must go to the zone {self.origin}, served by {servers}."


def choose_zone(
    *,
    found: Mapping[str, Sequence[HostedZone]],
    probed_origin: str,
    probed_nameservers: Iterable[str],
    errors: Mapping[str, str] | None = None,
) -> ZoneChoice:
    """`found`: account label -> the public zones found for the domain there. The chosen zone
    has the probed origin and exactly the probed (delegated) nameserver set."""
    searched = tuple(sorted(set(found) | set(errors or {})))
    origin = dns_name(probed_origin)
    servers = tuple(sorted({dns_name(n) for n in probed_nameservers if n}))
    zones = [z for label in sorted(found) for z in found[label] if not z.private]
    base = {
        "searched": searched,
        "origin": origin,
        "nameservers": servers,
        "errors": dict(errors or {}),
    }
    if not origin or not servers:
        return ZoneChoice(UNRESOLVED, None, candidates=tuple(zones), **base)
    for zone in zones:
        if zone.name == origin and set(zone.nameservers) == set(servers):
            return ZoneChoice(DELEGATED, zone, **base)
    status = NOT_DELEGATED if zones else NO_ZONE
    return ZoneChoice(status, None, candidates=tuple(zones), **base)
