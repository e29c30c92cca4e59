"""The emulator's DNS zone server, asked with dnspython over real loopback sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from emulator.dns_server import DnsServerHandle, start_dns_server
from emulator.zones import ZoneStore

NS1, NS2, NS3 = "127.0.0.2", "127.0.0.3", "127.0.0.4"
TIMEOUT = 0.3


@pytest.fixture
def store() -> ZoneStore:
    s = ZoneStore()
    s.add_zone("example.com", {"ns1.dns.test": NS1, "ns2.dns.test": NS2})
    s.add_record("abc._domainkey.example.com", "CNAME", "abc.dkim.amazonses.com")
    s.add_record(
        "new.example.com", "TXT", '"v=spf1 include:amazonses.com ~all"', servers=["ns1.dns.test"]
    )
    s.add_record("www.example.com", "A", "192.0.2.10", ttl=120)
    return s


@pytest.fixture
def server(store: ZoneStore) -> Iterator[DnsServerHandle]:
    handle = start_dns_server(store, 0)
    yield handle
    handle.stop()


def ask(
    server: DnsServerHandle,
    where: str,
    name: str,
    rtype: str,
    *,
    tcp: bool = False,
    payload: int | None = None,
) -> dns.message.Message:
    query = dns.message.make_query(
        name, rtype, use_edns=payload is not None, payload=payload or 1232
    )
    if tcp:
        return dns.query.tcp(query, where, port=server.port, timeout=TIMEOUT)
    return dns.query.udp(query, where, port=server.port, timeout=TIMEOUT)


def texts(response: dns.message.Message, section: str = "answer") -> list[str]:
    return [rd.to_text() for rrset in getattr(response, section) for rd in rrset]


def test_it_listens_on_the_resolver_and_every_nameserver_address_on_one_port(
    server: DnsServerHandle,
) -> None:
    assert server.addresses == ["127.0.0.1", NS1, NS2]
    for address in server.addresses:
        assert ask(server, address, "www.example.com", "A").rcode() == dns.rcode.NOERROR
        assert texts(ask(server, address, "www.example.com", "A", tcp=True)) == ["192.0.2.10"]


def test_resolver_answers_ns_and_nameserver_addresses_without_aa(server: DnsServerHandle) -> None:
    ns = ask(server, "127.0.0.1", "example.com", "NS")
    assert sorted(texts(ns)) == ["ns1.dns.test.", "ns2.dns.test."]
    assert ns.flags & dns.flags.RA and not ns.flags & dns.flags.AA
    assert texts(ask(server, "127.0.0.1", "ns2.dns.test", "A")) == [NS2]


def test_nameservers_answer_authoritatively_with_their_own_view(server: DnsServerHandle) -> None:
    on_ns1 = ask(server, NS1, "new.example.com", "TXT")
    on_ns2 = ask(server, NS2, "new.example.com", "TXT")
    assert on_ns1.flags & dns.flags.AA and on_ns2.flags & dns.flags.AA
    assert texts(on_ns1) == ['"v=spf1 include:amazonses.com ~all"']
    assert texts(on_ns2) == [] and on_ns2.rcode() == dns.rcode.NXDOMAIN
    # The resolver sees what the first nameserver serves.
    assert texts(ask(server, "127.0.0.1", "new.example.com", "TXT")) == texts(on_ns1)


def test_apex_soa_and_ns_are_synthesised_from_the_nameservers(server: DnsServerHandle) -> None:
    soa = ask(server, NS2, "example.com", "SOA")
    assert texts(soa) == ["ns1.dns.test. hostmaster.example.com. 4 7200 900 1209600 300"]
    assert sorted(texts(ask(server, NS1, "example.com", "NS"))) == [
        "ns1.dns.test.",
        "ns2.dns.test.",
    ]


def _serial(server: DnsServerHandle, where: str) -> int:
    return int(texts(ask(server, where, "example.com", "SOA"))[0].split()[2])


def test_each_change_moves_the_serial_on_the_nameservers_that_get_it(
    server: DnsServerHandle, store: ZoneStore
) -> None:
    before = _serial(server, NS1)
    assert _serial(server, NS2) == before  # three changes, the last one on every server
    store.add_record("late.example.com", "TXT", '"x"', servers=["ns1.dns.test"])
    assert (_serial(server, NS1), _serial(server, NS2)) == (before + 1, before)
    store.remove_records("late.example.com")
    assert _serial(server, NS1) == _serial(server, NS2) == before + 2


def test_nxdomain_and_nodata_both_carry_the_zone_soa(server: DnsServerHandle) -> None:
    nx = ask(server, NS1, "nothing.example.com", "TXT")
    nodata = ask(server, NS1, "www.example.com", "TXT")
    empty_non_terminal = ask(server, NS1, "_domainkey.example.com", "TXT")
    assert nx.rcode() == dns.rcode.NXDOMAIN
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert empty_non_terminal.rcode() == dns.rcode.NOERROR and not empty_non_terminal.answer
    for response in (nx, nodata, empty_non_terminal):
        assert [r.name.to_text() for r in response.authority] == ["example.com."]
        assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_a_cname_answers_any_type_as_served(server: DnsServerHandle) -> None:
    for rtype in ("TXT", "A", "CNAME"):
        response = ask(server, NS2, "abc._domainkey.example.com", rtype)
        assert response.answer[0].rdtype == dns.rdatatype.CNAME
        assert texts(response) == ["abc.dkim.amazonses.com."]


def test_any_returns_everything_at_the_name(server: DnsServerHandle, store: ZoneStore) -> None:
    store.add_record("www.example.com", "TXT", "hello")
    assert sorted(texts(ask(server, NS1, "www.example.com", "ANY"))) == ['"hello"', "192.0.2.10"]


def test_a_name_outside_the_servers_zones_is_refused(server: DnsServerHandle) -> None:
    response = ask(server, NS1, "example.org", "A")
    assert response.rcode() == dns.rcode.REFUSED and not response.flags & dns.flags.AA
    assert ask(server, "127.0.0.1", "example.org", "A").rcode() == dns.rcode.NXDOMAIN


@pytest.mark.parametrize(
    "fault, rcode", [("servfail", dns.rcode.SERVFAIL), ("refused", dns.rcode.REFUSED)]
)
def test_name_faults_give_their_rcode_everywhere(
    server: DnsServerHandle, store: ZoneStore, fault: str, rcode: int
) -> None:
    store.set_fault("www.example.com", fault)
    for address in server.addresses:
        assert ask(server, address, "www.example.com", "A").rcode() == rcode
    store.set_fault("www.example.com", None)
    assert ask(server, NS1, "www.example.com", "A").rcode() == dns.rcode.NOERROR


def test_timeout_fault_gets_no_answer_on_udp_or_tcp(
    server: DnsServerHandle, store: ZoneStore
) -> None:
    store.set_fault("www.example.com", "timeout", server="ns2.dns.test")
    with pytest.raises(dns.exception.Timeout):
        ask(server, NS2, "www.example.com", "A")
    with pytest.raises(dns.exception.Timeout):
        ask(server, NS2, "www.example.com", "A", tcp=True)
    # Only ns2 is affected; the server keeps answering other names on ns2.
    assert texts(ask(server, NS1, "www.example.com", "A")) == ["192.0.2.10"]
    assert ask(server, NS2, "nothing.example.com", "A").rcode() == dns.rcode.NXDOMAIN


def test_txt_strings_stay_split_and_unquoted_text_is_one_string(
    server: DnsServerHandle, store: ZoneStore
) -> None:
    store.add_record("k._domainkey.example.com", "TXT", '"v=DKIM1; p=AAAA" "BBBB"')
    store.add_record("u.example.com", "TXT", "v=spf1 include:amazonses.com ~all")
    store.add_record("long.example.com", "TXT", '"' + "x" * 300 + '"')
    split = ask(server, NS1, "k._domainkey.example.com", "TXT")
    assert split.answer[0][0].strings == (b"v=DKIM1; p=AAAA", b"BBBB")
    assert ask(server, NS1, "u.example.com", "TXT").answer[0][0].strings == (
        b"v=spf1 include:amazonses.com ~all",
    )
    # A string over 255 bytes cannot go on the wire: cut at 255, as some providers do.
    assert ask(server, NS1, "long.example.com", "TXT").answer[0][0].strings == (b"x" * 255,)


def test_big_udp_answer_sets_tc_and_tcp_carries_it(
    server: DnsServerHandle, store: ZoneStore
) -> None:
    for i in range(12):
        store.add_record("big.example.com", "TXT", f'"{i:02d}' + "y" * 60 + '"')
    plain = ask(server, NS1, "big.example.com", "TXT")
    assert plain.flags & dns.flags.TC and not plain.answer
    assert len(texts(ask(server, NS1, "big.example.com", "TXT", payload=4096))) == 12
    assert ask(server, NS1, "big.example.com", "TXT", payload=600).flags & dns.flags.TC
    assert len(texts(ask(server, NS1, "big.example.com", "TXT", tcp=True))) == 12
    assert len(texts(ask(server, NS1, "big.example.com", "TXT", tcp=True, payload=512))) == 12
    query = dns.message.make_query("big.example.com", "TXT", use_edns=False)
    response, used_tcp = dns.query.udp_with_fallback(query, NS1, port=server.port, timeout=TIMEOUT)
    assert used_tcp and len(texts(response)) == 12


def test_undelegated_zone_is_authoritative_on_its_servers_but_invisible_to_the_resolver(
    server: DnsServerHandle, store: ZoneStore
) -> None:
    store.add_zone("orphan.test", {"ns3.dns.test": NS3}, delegated=False)
    store.add_record("_dmarc.orphan.test", "TXT", "v=DMARC1; p=none")
    store.add_zone("mail.example.com", {"ns3.dns.test": NS3}, delegated=False)
    store.add_record("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    assert server.refresh() == [NS3]
    direct = ask(server, NS3, "_dmarc.orphan.test", "TXT")
    assert direct.flags & dns.flags.AA and texts(direct) == ['"v=DMARC1; p=none"']
    assert texts(ask(server, NS3, "mail.example.com", "MX")) == [
        "10 feedback-smtp.us-east-1.amazonses.com."
    ]
    # What a prober sees through the resolver: no delegation, no records.
    assert ask(server, "127.0.0.1", "orphan.test", "NS").rcode() == dns.rcode.NXDOMAIN
    assert ask(server, "127.0.0.1", "_dmarc.orphan.test", "TXT").rcode() == dns.rcode.NXDOMAIN
    sub = ask(server, "127.0.0.1", "mail.example.com", "NS")
    assert sub.rcode() == dns.rcode.NXDOMAIN and sub.authority[0].name.to_text() == "example.com."
    # The parent's own nameservers know nothing of the child either.
    assert ask(server, NS1, "mail.example.com", "MX").rcode() == dns.rcode.NXDOMAIN
    # Its nameserver host is still resolvable, so a prober told about it can ask it.
    assert texts(ask(server, "127.0.0.1", "ns3.dns.test", "A")) == [NS3]


def test_parent_refers_to_a_delegated_child_zone(server: DnsServerHandle, store: ZoneStore) -> None:
    store.add_zone("eu.example.com", {"ns3.dns.test": NS3})
    store.add_record("x.eu.example.com", "A", "192.0.2.99")
    server.refresh()
    referral = ask(server, NS1, "x.eu.example.com", "A")
    assert not referral.answer and not referral.flags & dns.flags.AA
    assert texts(referral, "authority") == ["ns3.dns.test."]
    assert texts(ask(server, "127.0.0.1", "eu.example.com", "NS")) == ["ns3.dns.test."]
    assert texts(ask(server, NS3, "x.eu.example.com", "A")) == ["192.0.2.99"]


def test_garbage_and_non_query_opcodes_do_not_stop_the_server(server: DnsServerHandle) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00\x01garbage", (NS1, server.port))
    notify = dns.message.make_query("example.com", "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    assert dns.query.udp(notify, NS1, port=server.port, timeout=TIMEOUT).rcode() == dns.rcode.NOTIMP
    assert texts(ask(server, NS1, "www.example.com", "A")) == ["192.0.2.10"]


def test_a_busy_explicit_port_is_an_error_and_stop_frees_the_port(store: ZoneStore) -> None:
    first = start_dns_server(store, 0)
    try:
        with pytest.raises(OSError):
            start_dns_server(store, first.port)
    finally:
        first.stop()
    again = start_dns_server(store, first.port, host_addresses=["127.0.0.1"])
    assert again.addresses == ["127.0.0.1"]
    again.stop()


def test_an_address_that_cannot_be_bound_is_named_in_the_error(store: ZoneStore) -> None:
    store.add_zone("far.test", {"ns.far.test": "192.0.2.1"})  # not a local address
    with pytest.raises(OSError, match=r"cannot listen on 192\.0\.2\.1:"):
        start_dns_server(store, 0)
