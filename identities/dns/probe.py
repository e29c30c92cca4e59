"""Ask every authoritative nameserver of a record's zone directly, with bounded concurrency.

Discovery goes through the resolver (SESOPS_DNS_RESOLVER): an NS query at the record's
name, walking up (the SOA of a negative answer names the zone apex, which saves steps),
then each nameserver's address. The records are then asked of each nameserver directly —
never of a caching resolver, whose answer could be hours old (cached NXDOMAIN) or blend
nameservers that disagree.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from identities.dns.names import InvalidResolverSetting, parse_host_port, parse_resolver
from identities.dns.query import NODATA, NXDOMAIN, OK, Answer, Querier
from identities.dns.soa import serial_of

FOUND, NOT_DELEGATED, UNRESOLVED = "found", "not_delegated", "unresolved"
# Other types asked at a name whose wanted type is absent, to say what is there instead.
_DIAGNOSTIC_TYPES = {"CNAME": ("TXT", "A"), "TXT": (), "MX": ()}


@dataclass(frozen=True)
class ProbeConfig:
    resolver: tuple[str, int]  # (ip, port)
    port: int = 53  # where nameservers are asked
    timeout: float = 2.0
    concurrency: int = 16
    also_ask: tuple[str, ...] = ()  # hosts/IPs to ask when the delegated servers lack a record

    @classmethod
    def from_settings(
        cls,
        resolver: str,
        port: int,
        timeout: float,
        concurrency: int,
        also_ask: Iterable[str] = (),
    ) -> ProbeConfig:
        parsed = parse_resolver(resolver, port)
        if parsed is None:
            parsed = (_system_resolver(), port)
        return cls(parsed, port, timeout, max(1, concurrency), tuple(a for a in also_ask if a))


def _system_resolver() -> str:
    import dns.resolver  # only when no resolver is configured: reads /etc/resolv.conf

    try:
        servers = dns.resolver.Resolver().nameservers
    except dns.resolver.NoResolverConfiguration as exc:
        raise InvalidResolverSetting(
            "SESOPS_DNS_RESOLVER is empty and the system has no resolver configured"
        ) from exc
    return str(servers[0])


@dataclass(frozen=True)
class Nameserver:
    host: str
    address: str  # "" when its address could not be found
    delegated: bool = True
    port: int | None = None  # None: the probe's port (SESOPS_DNS_PORT)


@dataclass(frozen=True)
class ZoneInfo:
    status: str  # found | not_delegated | unresolved
    origin: str = ""
    nameservers: tuple[Nameserver, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class ServerProbe:
    nameserver: Nameserver
    answer: Answer  # the wanted type
    others: tuple[tuple[str, Answer], ...] = ()  # (type asked, answer) when wanted is absent
    doubled: Answer | None = None  # the name with the zone appended again
    doubled_name: str = ""
    followed: Answer | None = None  # a TXT asked for a CNAME's target (via the resolver)


@dataclass
class RecordProbe:
    name: str
    rtype: str
    zone: ZoneInfo
    servers: list[ServerProbe] = field(default_factory=list)
    extra: list[ServerProbe] = field(default_factory=list)  # also-asked, not delegated


@dataclass(frozen=True)
class ZoneSerials:
    """A zone's SOA serial as each of its nameservers serves it (None: no usable answer)."""

    zone: str
    serials: dict[str, int | None]


class _Memo:
    """Compute each key once even when many threads want it at the same moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[object, Future] = {}

    def get(self, key: object, compute: Callable[[], object]) -> object:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if owner:
                future = self._futures[key] = Future()
        assert future is not None
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()


def _parent(name: str) -> str:
    return name.partition(".")[2]


class Prober:
    def __init__(self, config: ProbeConfig) -> None:
        self.config = config
        self.querier = Querier(config.timeout)
        self._memo = _Memo()

    @property
    def queries(self) -> int:
        return self.querier.queries

    # -- through the resolver ------------------------------------------------------
    def _resolve(self, name: str, rtype: str) -> Answer:
        host, port = self.config.resolver
        return self._memo.get(  # type: ignore[return-value]
            ("resolver", name, rtype),
            lambda: self.querier.ask(host, port, name, rtype, recurse=True),
        )

    def _address(self, host: str) -> str:
        answer = self._resolve(host, "A")
        return answer.values[0] if answer.status == OK and answer.rtype == "A" else ""

    def zone_of(self, name: str) -> ZoneInfo:
        return self._memo.get(("zone", name), lambda: self._find_zone(name))  # type: ignore[return-value]

    def _find_zone(self, name: str) -> ZoneInfo:
        candidate, seen, failures = name, set(), []
        while candidate and candidate not in seen:
            seen.add(candidate)
            answer = self._resolve(candidate, "NS")
            if answer.status == OK and answer.rtype == "NS":
                if "." not in candidate and candidate != name:
                    # Only the TLD answers: nothing below it is delegated for this name.
                    return ZoneInfo(NOT_DELEGATED, detail=f"only the TLD {candidate} knows it")
                hosts = sorted(answer.values)
                servers = tuple(Nameserver(h, self._address(h)) for h in hosts)
                return ZoneInfo(FOUND, candidate, servers)
            if answer.status in (NXDOMAIN, NODATA):
                soa = answer.soa_owner
                # The SOA of a negative answer names the enclosing zone: jump straight to it.
                inside = soa and soa != candidate and candidate.endswith("." + soa)
                candidate = soa if inside else _parent(candidate)
            else:
                failures.append(f"{candidate} NS: {answer.status} {answer.detail}".strip())
                candidate = _parent(candidate)
        if failures:
            return ZoneInfo(UNRESOLVED, detail="; ".join(failures))
        return ZoneInfo(NOT_DELEGATED, detail=f"no NS records found for {name} or its parents")

    # -- asking nameservers directly --------------------------------------------------
    def _ask(self, ns: Nameserver, name: str, rtype: str) -> Answer:
        if not ns.address:
            return Answer("error", detail=f"no address found for {ns.host}")
        return self._memo.get(  # type: ignore[return-value]
            ("ns", ns.address, name, rtype),
            lambda: self.querier.ask(ns.address, ns.port or self.config.port, name, rtype),
        )

    def _probe_server(self, ns: Nameserver, name: str, rtype: str, origin: str) -> ServerProbe:
        answer = self._ask(ns, name, rtype)
        others: tuple[tuple[str, Answer], ...] = ()
        if answer.status == NODATA:
            others = tuple((t, self._ask(ns, name, t)) for t in _DIAGNOSTIC_TYPES.get(rtype, ()))
        doubled, doubled_name = None, ""
        nothing_else = not any(a.status == OK for _, a in others)
        if answer.status in (NXDOMAIN, NODATA) and nothing_else and origin:
            # A mistake seen in the wild: the provider appends the zone to what was typed.
            doubled_name = f"{name}.{origin}"
            doubled = self._ask(ns, doubled_name, rtype)
        followed = None
        if answer.status == OK and answer.rtype == "CNAME" and rtype == "TXT":
            # DMARC and DKIM keys are often hosted by a provider behind a CNAME: what counts
            # is the TXT a resolver finds at its target.
            followed = self._resolve(answer.values[0], "TXT")
        return ServerProbe(ns, answer, others, doubled, doubled_name, followed)

    def _extra_servers(self) -> list[Nameserver]:
        servers = []
        for item in self.config.also_ask:
            host, port = parse_host_port(
                item, self.config.port, variable="SESOPS_DNS_EXTRA_NAMESERVERS"
            )
            try:
                address = str(ipaddress.ip_address(host))
            except ValueError:
                address = self._address(host)
            servers.append(Nameserver(item, address, delegated=False, port=port))
        return servers

    def probe(
        self,
        wanted: Sequence[tuple[str, str]],
        hints: Mapping[str, str] | None = None,
    ) -> dict[tuple[str, str], RecordProbe]:
        """Probe each (name, type) on every nameserver of its zone; keyed by (name, type).

        `hints` maps a record name to its identity's domain: the zone is then looked up once
        per domain instead of once per name. A zone cut below the domain (a delegated
        `_domainkey` or MAIL FROM subdomain) shows up as a referral, and only those names
        are looked up on their own and asked again."""
        unique = list(dict.fromkeys(wanted))
        hints = hints or {}

        def start(name: str) -> str:
            hint = hints.get(name, "")
            return hint if hint and (name == hint or name.endswith("." + hint)) else name

        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            found_zones = pool.map(lambda k: self.zone_of(start(k[0])), unique)
            zones = dict(zip(unique, found_zones, strict=True))
            probes = self._ask_all(pool, unique, zones)
            referred = [k for k in unique if any(s.answer.referral for s in probes[k].servers)]
            if referred:
                own_zones = pool.map(lambda k: self.zone_of(k[0]), referred)
                own = dict(zip(referred, own_zones, strict=True))
                probes.update(self._ask_all(pool, referred, own))
            lacking = [
                p for p in probes.values() if not any(s.answer.status == OK for s in p.servers)
            ]
            if self.config.also_ask and lacking:
                extra = self._extra_servers()
                jobs = [(p, ns) for p in lacking for ns in extra]
                found = pool.map(
                    lambda job: self._probe_server(job[1], job[0].name, job[0].rtype, ""), jobs
                )
                for (p, _), result in zip(jobs, found, strict=True):
                    p.extra.append(result)
        return probes

    def _ask_all(
        self,
        pool: ThreadPoolExecutor,
        keys: Sequence[tuple[str, str]],
        zones: Mapping[tuple[str, str], ZoneInfo],
    ) -> dict[tuple[str, str], RecordProbe]:
        jobs = [(key, ns) for key in keys for ns in zones[key].nameservers if zones[key].origin]
        results = pool.map(
            lambda job: self._probe_server(job[1], *job[0], zones[job[0]].origin), jobs
        )
        probes = {key: RecordProbe(key[0], key[1], zones[key]) for key in keys}
        for (key, _), result in zip(jobs, results, strict=True):
            probes[key].servers.append(result)
        return probes

    def zone_serials(self, domains: Sequence[str]) -> dict[str, ZoneSerials]:
        """One SOA query per nameserver of each domain's zone (zones shared by several
        domains, and zones the probe already found, are not looked up again)."""
        unique = list(dict.fromkeys(domains))
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            zones = dict(zip(unique, pool.map(self.zone_of, unique), strict=True))
            jobs = [(z.origin, ns) for z in zones.values() if z.origin for ns in z.nameservers]
            answers = dict(
                zip(jobs, pool.map(lambda job: self._ask(job[1], job[0], "SOA"), jobs), strict=True)
            )
        found = {}
        for domain, zone in zones.items():
            if not zone.origin:
                continue
            serials = {}
            for ns in zone.nameservers:
                answer = answers[(zone.origin, ns)]
                ok = answer.status == OK and answer.rtype == "SOA" and answer.values
                serials[ns.host] = serial_of(answer.values[0]) if ok else None
            found[domain] = ZoneSerials(zone.origin, serials)
        return found
