"""Answers DNS queries from a ZoneStore: the pure half of the emulator's zone server.

Two kinds of listener ask for answers here (see dns_server.py):

- the resolver address (127.0.0.1) answers like a recursive resolver looking at the public
  DNS: every *delegated* zone, as its first nameserver serves it (RA set, AA clear), plus the
  A records of every nameserver host, so a prober can do "NS lookup, then the nameservers'
  addresses". A zone with `delegated=False` is invisible there: names in it are answered
  from the nearest delegated ancestor zone (usually NXDOMAIN), or NXDOMAIN when there is
  none — exactly what a prober sees when records were edited in a zone the parent does not
  delegate to. Its own nameservers still answer authoritatively when asked directly.
- every nameserver address answers authoritatively (AA) for the zones listing it, with that
  nameserver's view (`Record.servers`), so nameservers can disagree; other names REFUSED.

SOA and NS at each apex are synthesised from the zone's nameservers. Faults per name (and
per nameserver host) turn an answer into SERVFAIL, REFUSED or silence (`None`).
"""

from __future__ import annotations

import logging
import re

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

from emulator.zones import Record, Zone, ZoneStore, norm

log = logging.getLogger(__name__)

RESOLVER_ADDRESS = "127.0.0.1"
SOA_TTL = 300
NS_TTL = 3600
NEGATIVE_TTL = 300  # SOA minimum: how long resolvers may cache NXDOMAIN / NODATA
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(\d{3}|.)")


def _in_zone(name: str, origin: str) -> bool:
    return name == origin or name.endswith("." + origin)


def _unescape(text: str) -> bytes:
    return _ESCAPE.sub(lambda m: chr(int(m[1])) if m[1].isdigit() else m[1], text).encode(
        "latin-1", "replace"
    )


def _txt_rdata(value: str) -> dns.rdata.Rdata:
    """TXT rdata from a presentation value, tolerant of what scenario authors write.

    Unquoted text is one string (not split on spaces). A string over 255 bytes cannot go on
    the wire: it is cut at 255, as some DNS providers silently do — which is how an unsplit
    2048-bit DKIM key ends up broken in the wild."""
    parts = [_unescape(m) for m in _QUOTED.findall(value)] if value.lstrip().startswith('"') else []
    if not parts:
        parts = [value.encode()]
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [p[:255] for p in parts])


def to_rdata(rtype: str, value: str) -> dns.rdata.Rdata:
    if rtype == "TXT":
        return _txt_rdata(value)
    return dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.from_text(rtype),
        value,
        origin=dns.name.root,
        relativize=False,
    )


def _rrsets(name: str, records: list[tuple[str, str, int]]) -> list[dns.rrset.RRset]:
    """Group (rtype, value, ttl) into RRsets of `name`, one TTL per set (the lowest)."""
    by_type: dict[str, dns.rrset.RRset] = {}
    owner = dns.name.from_text(name)
    for rtype, value, ttl in records:
        rrset = by_type.get(rtype)
        if rrset is None:
            rrset = by_type[rtype] = dns.rrset.RRset(
                owner, dns.rdataclass.IN, dns.rdatatype.from_text(rtype)
            )
            rrset.update_ttl(ttl)
        rrset.add(to_rdata(rtype, value), ttl)
    return list(by_type.values())


class ZoneView:
    """One zone as one nameserver host serves it (host None: every record)."""

    def __init__(self, zone: Zone, host: str | None) -> None:
        self.zone, self.host = zone, host
        self.records: list[Record] = [
            r for r in list(zone.records) if host is None or r.servers is None or host in r.servers
        ]

    def soa(self) -> dns.rrset.RRset:
        return _rrsets(self.zone.origin, [self._soa_data()])[0]

    def _soa_data(self) -> tuple[str, str, int]:
        origin = self.zone.origin
        mname = next(iter(self.zone.nameservers), f"ns.{origin}")
        serial = self.zone.serial(self.host)
        soa = f"{mname}. hostmaster.{origin}. {serial} 7200 900 1209600 {NEGATIVE_TTL}"
        return ("SOA", soa, SOA_TTL)

    def ns(self) -> dns.rrset.RRset | None:
        hosts = [("NS", h + ".", NS_TTL) for h in self.zone.nameservers]
        return _rrsets(self.zone.origin, hosts)[0] if hosts else None

    def data(self, name: str) -> list[tuple[str, str, int]]:
        """Every (rtype, value, ttl) at `name`, synthesised apex and glue included."""
        out = [(r.rtype, r.value, r.ttl) for r in self.records if r.name == name]
        if name == self.zone.origin:
            out.append(self._soa_data())
            out += [("NS", h + ".", NS_TTL) for h in self.zone.nameservers]
        out += [("A", ip, NS_TTL) for h, ip in self.zone.nameservers.items() if h == name]
        return out

    def exists(self, name: str) -> bool:
        """Has the name data, or names below it (an empty non-terminal exists too)?"""
        names = [r.name for r in self.records] + [
            h for h in self.zone.nameservers if _in_zone(h, self.zone.origin)
        ]
        return name == self.zone.origin or any(_in_zone(n, name) for n in names)


def _negative(response: dns.message.Message, view: ZoneView, nxdomain: bool) -> None:
    if nxdomain:
        response.set_rcode(dns.rcode.NXDOMAIN)
    response.authority.append(view.soa())


def answer_from_view(response: dns.message.Message, view: ZoneView, name: str, qtype: str) -> None:
    """Fill `response` with the view's answer: data, CNAME, NODATA or NXDOMAIN."""
    data = view.data(name)
    if qtype == "ANY":
        wanted = data
    else:
        wanted = [d for d in data if d[0] == qtype]
        if not wanted and qtype != "CNAME":
            # A CNAME answers every type (returned as served; the client follows it).
            wanted = [d for d in data if d[0] == "CNAME"]
    if wanted:
        response.answer.extend(_rrsets(name, wanted))
    else:
        _negative(response, view, nxdomain=not view.exists(name))


def _fault(response: dns.message.Message, fault: str | None) -> dns.message.Message | None:
    if fault == "timeout":
        return None
    response.set_rcode(dns.rcode.SERVFAIL if fault == "servfail" else dns.rcode.REFUSED)
    return response


def _nameserver_hosts(store: ZoneStore) -> dict[str, str]:
    hosts: dict[str, str] = {}
    for zone in store.zones():
        for host, ip in zone.nameservers.items():
            hosts.setdefault(host, ip)
    return hosts


def resolve_as_resolver(
    store: ZoneStore, response: dns.message.Message, name: str, qtype: str
) -> dns.message.Message | None:
    response.flags |= dns.flags.RA
    zone = next((z for z in store.zones_containing(name) if z.delegated), None)
    first = next(iter(zone.nameservers), None) if zone else None
    fault = store.fault_for(name, first)
    if fault:
        return _fault(response, fault)
    hosts = _nameserver_hosts(store) if qtype in ("A", "ANY") or zone is None else {}
    if name in hosts and qtype in ("A", "ANY"):
        response.answer.extend(_rrsets(name, [("A", hosts[name], NS_TTL)]))
        return response
    if zone is None:
        if name not in hosts:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response
    answer_from_view(response, ZoneView(zone, first), name, qtype)
    return response


def resolve_as_nameserver(
    store: ZoneStore, response: dns.message.Message, name: str, qtype: str, address: str
) -> dns.message.Message | None:
    containing = store.zones_containing(name)  # most specific first
    index, zone, host = next(
        (
            (i, z, h)
            for i, z in enumerate(containing)
            for h, ip in z.nameservers.items()
            if ip == address
        ),
        (0, None, None),
    )
    if zone is None or host is None:
        response.set_rcode(dns.rcode.REFUSED)  # not authoritative for this name
        return response
    fault = store.fault_for(name, host)
    if fault:
        return _fault(response, fault)
    # A delegated child zone between the name and this server's zone: refer the client to
    # the one closest to our zone, as a parent's nameserver does.
    child = next((z for z in reversed(containing[:index]) if z.delegated), None)
    if child is not None and not (name == child.origin and qtype == "DS"):
        ns = ZoneView(child, None).ns()
        if ns is not None:
            response.authority.append(ns)
        return response
    response.flags |= dns.flags.AA
    answer_from_view(response, ZoneView(zone, host), name, qtype)
    return response


def respond(
    store: ZoneStore, wire: bytes, address: str, resolver_address: str = RESOLVER_ADDRESS
) -> dns.message.Message | None:
    """The response to one query received on `address`, or None to stay silent."""
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None  # not even a header we can answer to
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.AA
    if query.opcode() != dns.opcode.QUERY:
        response.set_rcode(dns.rcode.NOTIMP)
        return response
    if len(query.question) != 1:
        response.set_rcode(dns.rcode.FORMERR)
        return response
    question = query.question[0]
    name = norm(question.name.to_text())
    qtype = dns.rdatatype.to_text(question.rdtype)
    try:
        if address == resolver_address:
            return resolve_as_resolver(store, response, name, qtype)
        return resolve_as_nameserver(store, response, name, qtype, address)
    except (dns.exception.DNSException, ValueError) as exc:
        # A record the scenario wrote that cannot be rendered: answer SERVFAIL (as a real
        # server with a broken zone would) and say why, rather than kill the listener.
        log.warning("cannot answer %s %s on %s: %s", name, qtype, address, exc)
        failed = dns.message.make_response(query)
        failed.set_rcode(dns.rcode.SERVFAIL)
        return failed


def to_wire(response: dns.message.Message, query_wire: bytes, udp: bool) -> bytes:
    """Wire form; over UDP, an answer over the client's limit goes out empty with TC set."""
    if not udp:
        # TCP carries up to 64 KiB whatever EDNS payload the client advertised for UDP.
        return response.to_wire(max_size=65535)
    limit = 512
    if response.edns >= 0:
        limit = max(512, response.request_payload or 512)
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer.clear()
        response.authority.clear()
        response.additional.clear()
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=limit)
