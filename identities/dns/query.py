"""One DNS question to one server, asked directly (UDP, TCP when truncated), as plain data."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

OK, NXDOMAIN, NODATA, SERVFAIL, REFUSED, TIMEOUT, ERROR = (
    "ok",
    "nxdomain",
    "nodata",
    "servfail",
    "refused",
    "timeout",
    "error",
)
# No definite answer: never read as "the record is missing".
UNKNOWN_STATUSES = frozenset({SERVFAIL, REFUSED, TIMEOUT, ERROR})
# EDNS payload as recommended since DNS Flag Day 2020; larger answers come back with TC set.
EDNS_PAYLOAD = 1232


@dataclass(frozen=True)
class Answer:
    status: str
    rtype: str = ""  # type of the data at the name ("CNAME" when a CNAME answered)
    values: tuple[str, ...] = ()  # presentation values; a TXT record's strings joined
    strings: tuple[tuple[str, ...], ...] = ()  # TXT: each record's character-strings
    ttl: int | None = None  # negative answers: the SOA minimum (how long NXDOMAIN is cached)
    authoritative: bool = False
    soa_owner: str = ""  # zone apex named by the SOA of a negative answer
    tcp: bool = False
    detail: str = ""
    referral: bool = False  # the server sent us to a child zone's nameservers

    @property
    def unknown(self) -> bool:
        return self.status in UNKNOWN_STATUSES


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()


def _value(rdtype: int, rdata: object) -> str:
    if rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {_text(rdata.exchange)}"  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS):
        return _text(rdata.target)  # type: ignore[attr-defined]
    return rdata.to_text()  # type: ignore[attr-defined]


def _negative_ttl(response: dns.message.Message) -> tuple[int | None, str]:
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return min(rrset.ttl, rrset[0].minimum), _text(rrset.name)
    return None, ""


def read_response(response: dns.message.Message, name: str, rtype: str, tcp: bool) -> Answer:
    aa = bool(response.flags & dns.flags.AA)
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        ttl, soa = _negative_ttl(response)
        return Answer(NXDOMAIN, ttl=ttl, authoritative=aa, soa_owner=soa, tcp=tcp)
    if rcode == dns.rcode.SERVFAIL:
        return Answer(SERVFAIL, authoritative=aa, tcp=tcp)
    if rcode == dns.rcode.REFUSED:
        return Answer(REFUSED, authoritative=aa, tcp=tcp)
    if rcode != dns.rcode.NOERROR:
        return Answer(ERROR, tcp=tcp, detail=f"rcode {dns.rcode.to_text(rcode)}")
    owner = dns.name.from_text(name)
    wanted = dns.rdatatype.from_text(rtype)
    found = [r for r in response.answer if r.name == owner and r.rdtype == wanted]
    if not found:
        found = [r for r in response.answer if r.name == owner and r.rdtype == dns.rdatatype.CNAME]
    if found:
        rrset = found[0]
        txt = rrset.rdtype == dns.rdatatype.TXT
        return Answer(
            OK,
            rtype=dns.rdatatype.to_text(rrset.rdtype),
            values=tuple(_value(rrset.rdtype, rd) for rd in rrset),
            strings=tuple(tuple(s.decode("utf-8", "replace") for s in rd.strings) for rd in rrset)
            if txt
            else (),
            ttl=rrset.ttl,
            authoritative=aa,
            tcp=tcp,
        )
    ttl, soa = _negative_ttl(response)
    if not soa and not aa and any(r.rdtype == dns.rdatatype.NS for r in response.authority):
        detail = "referral: the server is not authoritative for it"
        return Answer(ERROR, tcp=tcp, detail=detail, referral=True)
    return Answer(NODATA, ttl=ttl, authoritative=aa, soa_owner=soa, tcp=tcp)


@dataclass
class Querier:
    """Asks servers directly; counts every packet exchange (a TCP retry counts again)."""

    timeout: float
    payload: int = EDNS_PAYLOAD
    queries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _count(self, n: int = 1) -> None:
        with self._lock:
            self.queries += n

    def ask(
        self, address: str, port: int, name: str, rtype: str, *, recurse: bool = False
    ) -> Answer:
        query = dns.message.make_query(name, rtype, use_edns=0, payload=self.payload)
        if not recurse:
            query.flags &= ~dns.flags.RD  # an authoritative server must answer from its zone
        self._count()
        try:
            response, tcp = dns.query.udp_with_fallback(
                query, address, timeout=self.timeout, port=port
            )
        except dns.exception.Timeout:
            return Answer(TIMEOUT, detail=f"no answer within {self.timeout:g} s")
        except (OSError, dns.exception.DNSException) as exc:
            return Answer(ERROR, detail=f"{type(exc).__name__}: {exc}")
        if tcp:
            self._count()
        return read_response(response, name, rtype, tcp)
