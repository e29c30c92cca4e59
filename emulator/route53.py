"""Route 53 in the emulator: hosted zones per account over the shared zone store.

The subset sesops uses: ListHostedZonesByName, GetHostedZone, ListResourceRecordSets,
ChangeResourceRecordSets (CREATE / UPSERT / DELETE, all-or-nothing) and GetChange.

A hosted zone either *is* one of the zone store's zones (scenario `zones: - hosted_zone:`):
what a change writes is then served by the DNS zone server at once, and the emulator's SES
sees it on its next read; or it is *detached* (scenario `hosted_zones:`): a zone Route 53
holds but the DNS does not point at — the classic "records edited in a zone that is not the
delegated one". A change stays PENDING for `route53_insync_seconds` of emulator time, then
reads INSYNC (real Route 53 takes seconds to a minute).

Records are kept one value a row in the store; a record set is the rows of one
(name, type). Values are kept as Route 53 takes them: TXT in presentation format with its
quotes (`"v=spf1 ..."`), a CNAME's target with or without its final dot.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field

from emulator.errors import SesError
from emulator.state import State
from emulator.zones import Record, Zone, ZoneStore, norm

ACTIONS = ("CREATE", "UPSERT", "DELETE")
TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SPF", "SRV", "TXT")
_APEX_ONLY = ("NS", "SOA")  # synthesised from the zone's nameservers, not editable here


def r53_error(code: str, message: str, status: int = 400) -> SesError:
    err = SesError(code, message)
    err.status = status
    return err


@dataclass
class HostedZone:
    id: str  # "Z..." (the API shows "/hostedzone/Z...")
    account_id: str
    zone: Zone
    private: bool = False
    comment: str = ""
    caller_reference: str = ""

    @property
    def name(self) -> str:
        return self.zone.origin + "."


@dataclass(frozen=True)
class RecordSet:
    name: str  # absolute, lower case, no final dot
    rtype: str
    ttl: int
    values: tuple[str, ...]


@dataclass
class Change:
    id: str
    submitted_at: float
    comment: str = ""


@dataclass
class Route53:
    state: State
    zones: dict[str, HostedZone] = field(default_factory=dict)
    changes: dict[str, Change] = field(default_factory=dict)
    insync_seconds: float = 2.0
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def store(self) -> ZoneStore:
        return self.state.store

    def clear(self) -> None:
        with self.state.lock:
            self.zones.clear()
            self.changes.clear()
            self.insync_seconds = 2.0

    # -- hosted zones ------------------------------------------------------------------
    def add(
        self, account_id: str, zone: Zone, *, private: bool = False, comment: str = ""
    ) -> HostedZone:
        with self.state.lock:
            n = next(self._serial)
            seed = f"{account_id}/{zone.origin}/{n}".encode()
            zid = "Z" + base64.b32encode(hashlib.sha1(seed).digest()).decode()[:20]
            hz = HostedZone(zid, account_id, zone, private, comment, f"emulator-{n}")
            self.zones[zid] = hz
            return hz

    def get(self, account_id: str, zone_id: str) -> HostedZone:
        zid = zone_id.rsplit("/", 1)[-1]
        hz = self.zones.get(zid)
        if hz is None or hz.account_id != account_id:
            raise r53_error("NoSuchHostedZone", f"No hosted zone found with ID: {zid}", 404)
        return hz

    def by_name(self, account_id: str, dns_name: str | None) -> list[HostedZone]:
        """The account's zones in Route 53's order (labels reversed), from `dns_name` on."""
        mine = [hz for hz in self.zones.values() if hz.account_id == account_id]
        mine.sort(key=lambda hz: (_order_key(hz.zone.origin), hz.id))
        if dns_name:
            start = _order_key(norm(dns_name))
            mine = [hz for hz in mine if _order_key(hz.zone.origin) >= start]
        return mine

    # -- record sets ---------------------------------------------------------------------
    def record_sets(self, hz: HostedZone) -> list[RecordSet]:
        """Every record set of the zone (apex NS and SOA included), in Route 53's order."""
        with self.state.lock:
            grouped: dict[tuple[str, str], list[Record]] = {}
            for r in hz.zone.records:
                grouped.setdefault((r.name, r.rtype), []).append(r)
        sets = [
            RecordSet(name, rtype, rows[0].ttl, tuple(r.value for r in rows))
            for (name, rtype), rows in grouped.items()
        ]
        origin, hosts = hz.zone.origin, list(hz.zone.nameservers)
        first = hosts[0] if hosts else f"ns.{origin}"
        sets.append(RecordSet(origin, "NS", 172800, tuple(h + "." for h in hosts)))
        soa = f"{first}. hostmaster.{origin}. 1 7200 900 1209600 86400"
        sets.append(RecordSet(origin, "SOA", 900, (soa,)))
        return sorted(sets, key=lambda s: (_order_key(s.name), s.rtype))

    def change(self, hz: HostedZone, changes: list[dict], comment: str = "") -> Change:
        """Apply a batch atomically: every change is checked against the zone as the batch
        leaves it so far; one refusal and nothing is written (InvalidChangeBatch)."""
        if not changes:
            raise r53_error("InvalidInput", "A change batch needs at least one change.")
        with self.state.lock:
            current = {(s.name, s.rtype): s for s in self.record_sets(hz)}
            problems = [p for p in (_apply_one(hz, current, ch) for ch in changes) if p]
            if problems:
                raise r53_error("InvalidChangeBatch", "[" + ", ".join(problems) + "]")
            touched = {(norm(ch["rrset"].name), ch["rrset"].rtype) for ch in changes}
            # Untouched rows are kept as they are (a scenario's per-nameserver records too).
            kept = [r for r in hz.zone.records if (r.name, r.rtype) not in touched]
            written = [current[key] for key in touched if key in current]
            self.store.replace_records(hz.zone, kept + _rows(written))
            seed = f"{hz.id}/{next(self._serial)}".encode()
            cid = "C" + base64.b32encode(hashlib.sha1(seed).digest()).decode()[:20]
            change = self.changes[cid] = Change(cid, self.state.now(), comment)
            return change

    def status(self, change: Change) -> str:
        done = self.state.now() >= change.submitted_at + self.insync_seconds
        return "INSYNC" if done else "PENDING"

    def get_change(self, change_id: str) -> Change:
        cid = change_id.rsplit("/", 1)[-1]
        change = self.changes.get(cid)
        if change is None:
            raise r53_error(
                "NoSuchChange", f"A change with the specified change ID {cid} does not exist.", 404
            )
        return change


def _order_key(name: str) -> tuple[str, ...]:
    return tuple(reversed(norm(name).split(".")))


def _apply_one(hz: HostedZone, current: dict[tuple[str, str], RecordSet], ch: dict) -> str:
    action, rrset = ch.get("action", ""), ch.get("rrset")
    if action not in ACTIONS or rrset is None:
        return f"Invalid action {action!r}"
    name, rtype = norm(rrset.name), rrset.rtype
    label = f"[name='{name}.', type='{rtype}']"
    if rtype not in TYPES:
        return f"Invalid type {rtype!r} for resource record set {label}"
    origin = hz.zone.origin
    if not (name == origin or name.endswith("." + origin)):
        return f"RRSet with DNS name {name}. is not permitted in zone {origin}."
    if rtype in _APEX_ONLY:
        return f"The emulator does not edit {rtype} records {label}"
    if action != "DELETE" and not rrset.values:
        return f"Resource record set {label} has no values"
    if rtype == "CNAME" and action != "DELETE" and len(rrset.values) > 1:
        return f"RRSet of type CNAME with DNS name {name}. has more than one value"
    key = (name, rtype)
    present = current.get(key)
    if action == "CREATE" and present is not None:
        return f"Tried to create resource record set {label} but it already exists"
    if action == "DELETE":
        if present is None:
            return f"Tried to delete resource record set {label} but it was not found"
        if (present.ttl, sorted(present.values)) != (rrset.ttl, sorted(rrset.values)):
            return (
                f"Tried to delete resource record set {label} but the values provided do not "
                "match the current values"
            )
        del current[key]
        return ""
    others = {t for (n, t) in current if n == name and t != rtype}
    if (rtype == "CNAME" and others) or (rtype != "CNAME" and "CNAME" in others):
        return (
            f"RRSet of type {rtype} with DNS name {name}. is not permitted because a conflicting "
            "RRSet of type CNAME with the same DNS name already exists in zone "
            f"{origin}."
        )
    current[key] = RecordSet(name, rtype, rrset.ttl, tuple(rrset.values))
    return ""


def _rows(sets: list[RecordSet]) -> list[Record]:
    return [Record(s.name, s.rtype, value, s.ttl) for s in sets for value in s.values]
