"""In-memory DNS zones shared by the emulator's SES endpoint and its DNS zone server.

The SES side asks `published()` whether a domain's records are live (to move DKIM and
verification to SUCCESS / TEMPORARY_FAILURE); the DNS server answers queries from
`answer()`, per nameserver, so nameservers can disagree (propagation) and names can be
given faults (SERVFAIL, timeout, refused).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULTS = ("servfail", "timeout", "refused")


def norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True)
class Record:
    name: str  # absolute, lower case, no trailing dot
    rtype: str  # "CNAME", "TXT", "MX", "A", "NS", ...
    value: str  # presentation format rdata: 'x.dkim.amazonses.com', '"v=spf1 ..."', '10 mx.example'
    ttl: int = 300
    servers: frozenset[str] | None = None  # nameserver hosts serving it; None = every one


@dataclass
class Zone:
    origin: str
    nameservers: dict[str, str]  # nameserver host -> IPv4 address (127.0.0.x)
    records: list[Record] = field(default_factory=list)
    # Is the zone delegated from its parent? False models "records edited in a zone
    # that is not the delegated one": the zone server answers for it, the parent's NS
    # set does not point at it.
    delegated: bool = True
    # SOA serial per nameserver host (absent: 1). Every change bumps it on the nameservers
    # that get the change, so a change published to some nameservers only leaves the others
    # serving the older serial, as a lagging secondary does.
    serials: dict[str, int] = field(default_factory=dict)

    def serial(self, host: str | None) -> int:
        """The serial `host` serves (None: the newest any nameserver serves)."""
        if host is None:
            return max(self.serials.values(), default=1)
        return self.serials.get(host, 1)

    def bump(self, servers: frozenset[str] | None = None) -> None:
        newest = self.serial(None)
        for host in self.nameservers:
            if servers is None or host in servers:
                self.serials[host] = newest + 1


class ZoneStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._zones: dict[str, Zone] = {}
        self._faults: dict[tuple[str, str | None], str] = {}

    # -- zones -----------------------------------------------------------------
    def add_zone(self, origin: str, nameservers: dict[str, str], delegated: bool = True) -> Zone:
        with self._lock:
            zone = Zone(origin=norm(origin), nameservers=dict(nameservers), delegated=delegated)
            self._zones[zone.origin] = zone
            return zone

    def zones(self) -> list[Zone]:
        with self._lock:
            return list(self._zones.values())

    def zones_containing(self, name: str) -> list[Zone]:
        """Every zone whose origin is `name` or a parent of it, most specific first.

        One dict lookup per label, so the DNS server's per-query cost does not grow with
        the number of zones."""
        labels = norm(name).split(".")
        with self._lock:
            found = (self._zones.get(".".join(labels[i:])) for i in range(len(labels)))
            return [zone for zone in found if zone is not None]

    def zone_for(self, name: str) -> Zone | None:
        """The most specific zone containing `name`."""
        name = norm(name)
        with self._lock:
            best: Zone | None = None
            for origin, zone in self._zones.items():
                if (name == origin or name.endswith("." + origin)) and (
                    best is None or len(origin) > len(best.origin)
                ):
                    best = zone
            return best

    def clear(self) -> None:
        with self._lock:
            self._zones.clear()
            self._faults.clear()

    # -- records ---------------------------------------------------------------
    def add_record(
        self,
        name: str,
        rtype: str,
        value: str,
        ttl: int = 300,
        servers: list[str] | None = None,
    ) -> Record:
        zone = self.zone_for(name)
        if zone is None:
            raise KeyError(f"no zone holds {name!r}")
        rec = Record(norm(name), rtype.upper(), value, ttl, frozenset(servers) if servers else None)
        with self._lock:
            zone.records.append(rec)
            zone.bump(rec.servers)
        return rec

    def remove_records(self, name: str, rtype: str | None = None) -> int:
        name = norm(name)
        zone = self.zone_for(name)
        if zone is None:
            return 0
        with self._lock:
            keep = [
                r
                for r in zone.records
                if not (r.name == name and (rtype is None or r.rtype == rtype.upper()))
            ]
            removed = len(zone.records) - len(keep)
            zone.records = keep
            if removed:
                zone.bump()
            return removed

    def replace_records(self, zone: Zone, records: list[Record]) -> None:
        """Swap a zone's whole record list at once (a Route 53 change batch is atomic)."""
        with self._lock:
            zone.records = list(records)
            zone.bump()

    def answer(self, name: str, rtype: str, server: str | None = None) -> list[Record]:
        """Records of `name`/`rtype` as nameserver host `server` serves them (None: any)."""
        name, rtype = norm(name), rtype.upper()
        zone = self.zone_for(name)
        if zone is None:
            return []
        with self._lock:
            return [
                r
                for r in zone.records
                if r.name == name
                and (rtype == "ANY" or r.rtype == rtype)
                and (server is None or r.servers is None or server in r.servers)
            ]

    def name_exists(self, name: str, server: str | None = None) -> bool:
        name = norm(name)
        zone = self.zone_for(name)
        if zone is None:
            return False
        with self._lock:
            return any(
                r.name == name and (server is None or r.servers is None or server in r.servers)
                for r in zone.records
            )

    def published(self, name: str, rtype: str) -> list[str]:
        """Values SES's resolver would see: those served by the zone's first nameserver.

        A zone that is not delegated is invisible to the public DNS, so nothing in it is
        published."""
        zone = self.zone_for(name)
        if zone is None or not zone.delegated:
            return []
        first = next(iter(zone.nameservers), None)
        return [r.value for r in self.answer(name, rtype, first)]

    def published_serial(self, name: str) -> int | None:
        """The SOA serial SES's resolver sees for `name`'s zone (its first nameserver's), or
        None when no delegated zone holds the name."""
        found = self.zones_containing(name)  # a dict lookup per label: called per identity
        if not found or not found[0].delegated:
            return None
        zone = found[0]
        with self._lock:
            return zone.serial(next(iter(zone.nameservers), None) or "")

    # -- faults ----------------------------------------------------------------
    def set_fault(self, name: str, fault: str | None, server: str | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}")
        key = (norm(name), server)
        with self._lock:
            if fault is None:
                self._faults.pop(key, None)
            else:
                self._faults[key] = fault

    def fault_for(self, name: str, server: str | None = None) -> str | None:
        name = norm(name)
        with self._lock:
            return self._faults.get((name, server)) or self._faults.get((name, None))
