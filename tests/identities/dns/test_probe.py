"""The prober: discovery through the resolver, direct questions, TCP fallback, concurrency."""

from __future__ import annotations

import threading

import pytest

from emulator.dns_server import DnsServerHandle
from emulator.zones import ZoneStore
from identities.dns import query as query_module
from identities.dns.expected import DomainSpec
from identities.dns.probe import FOUND, NOT_DELEGATED, UNRESOLVED, ProbeConfig, Prober
from identities.dns.query import Querier
from tests.dns_zone import TIMEOUT, verdicts


def test_it_finds_the_zone_and_its_nameservers_through_the_resolver(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    zone = Prober(config).zone_of("abc._domainkey.example.com")
    assert zone.status == FOUND and zone.origin == "example.com"
    assert [(ns.host, ns.address) for ns in zone.nameservers] == [
        ("ns1.dns.test", "127.0.0.2"),
        ("ns2.dns.test", "127.0.0.3"),
        ("ns3.dns.test", "127.0.0.4"),
    ]


def test_it_finds_a_delegated_subzone(zones: ZoneStore, config: ProbeConfig, dns_server) -> None:
    zones.add_zone("eu.example.com", {"ns9.dns.test": "127.0.0.9"})
    dns_server.refresh()
    zone = Prober(config).zone_of("_dmarc.eu.example.com")
    assert zone.origin == "eu.example.com" and [n.host for n in zone.nameservers] == [
        "ns9.dns.test"
    ]


def test_no_delegation_and_no_resolver_are_told_apart(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    assert Prober(config).zone_of("x.nowhere.test").status == NOT_DELEGATED
    # Nobody listens on this port: the resolver "times out", which is not "not delegated".
    dead = ProbeConfig(("127.0.0.1", 9), 9, 0.05, 4)
    zone = Prober(dead).zone_of("x.example.com")
    assert zone.status == UNRESOLVED and "x.example.com NS" in zone.detail
    result = verdicts(dead, DomainSpec("example.com", "us-east-1"))
    assert result["dmarc _dmarc.example.com"].verdict == "unknown"
    assert result["dmarc _dmarc.example.com"].codes == ["no_nameservers"]


def test_nxdomain_and_nodata_carry_the_negative_ttl(
    zones: ZoneStore, dns_server: DnsServerHandle
) -> None:
    zones.add_record("www.example.com", "A", "192.0.2.1")
    querier = Querier(TIMEOUT)
    nx = querier.ask("127.0.0.2", dns_server.port, "nope.example.com", "TXT")
    nodata = querier.ask("127.0.0.2", dns_server.port, "www.example.com", "TXT")
    assert (nx.status, nx.ttl, nx.soa_owner, nx.authoritative) == (
        "nxdomain",
        300,
        "example.com",
        True,
    )
    assert (nodata.status, nodata.ttl, nodata.soa_owner) == ("nodata", 300, "example.com")


def test_a_txt_split_across_strings_is_joined_and_the_strings_kept(
    zones: ZoneStore, dns_server: DnsServerHandle
) -> None:
    zones.add_record("t.example.com", "TXT", '"v=DKIM1; p=abc" "def" "ghi"')
    answer = Querier(TIMEOUT).ask("127.0.0.3", dns_server.port, "t.example.com", "TXT")
    assert answer.values == ("v=DKIM1; p=abcdefghi",)
    assert answer.strings == (("v=DKIM1; p=abc", "def", "ghi"),)


def test_a_large_answer_comes_over_tcp_after_truncation(
    zones: ZoneStore, dns_server: DnsServerHandle
) -> None:
    for i in range(30):
        zones.add_record("_amazonses.example.com", "TXT", f"token-{i:02d}-" + "x" * 40)
    querier = Querier(TIMEOUT)
    answer = querier.ask("127.0.0.2", dns_server.port, "_amazonses.example.com", "TXT")
    assert answer.tcp and len(answer.values) == 30
    assert querier.queries == 2  # the truncated UDP exchange, then TCP


def test_it_counts_queries_and_asks_each_question_once(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    zones.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=none")
    prober = Prober(config)
    prober.probe([("_dmarc.example.com", "TXT"), ("_dmarc.example.com", "TXT")])
    # NS at the name (NXDOMAIN → SOA names the zone), NS at the apex, 3 addresses, 3 servers.
    assert prober.queries == 1 + 1 + 3 + 3


def test_concurrency_is_bounded_by_the_setting(
    zones: ZoneStore, config: ProbeConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(20):
        zones.add_record(f"_dmarc.d{i}.example.com", "TXT", "v=DMARC1; p=none")
    active, peak, lock = 0, 0, threading.Lock()
    real = query_module.dns.query.udp_with_fallback

    def counting(*args, **kwargs):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            threading.Event().wait(0.005)  # hold the slot so overlaps are visible
            return real(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(query_module.dns.query, "udp_with_fallback", counting)
    narrow = ProbeConfig(config.resolver, config.port, config.timeout, concurrency=3)
    probes = Prober(narrow).probe([(f"_dmarc.d{i}.example.com", "TXT") for i in range(20)])
    assert all(s.answer.status == "ok" for p in probes.values() for s in p.servers)
    assert 1 < peak <= 3


def test_a_zone_cut_below_the_domain_is_followed_from_the_referral(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    zones.add_zone("mail.example.com", {"ns9.dns.test": "127.0.0.9"})
    zones.add_record("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    dns_server.refresh()
    spec = DomainSpec("example.com", "us-east-1", mail_from_domain="mail.example.com")
    result = verdicts(config, spec)  # zone looked up once for example.com, then referred
    mx = result["mail_from_mx mail.example.com"]
    assert mx.verdict == "ok" and list(mx.answers) == ["ns9.dns.test"]
    assert result["dmarc _dmarc.example.com"].answers.keys() == {
        "ns1.dns.test",
        "ns2.dns.test",
        "ns3.dns.test",
    }


def test_it_reads_the_zone_serial_once_per_nameserver_for_all_its_domains(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    zones.add_record("late.example.com", "TXT", '"x"', servers=["ns3.dns.test"])
    prober = Prober(config)
    prober.probe([("_dmarc.example.com", "TXT")], {"_dmarc.example.com": "example.com"})
    before = prober.queries
    found = prober.zone_serials(["example.com", "example.com"])
    assert prober.queries - before == 3  # the zone is known: one SOA query per nameserver
    serials = found["example.com"]
    newest = zones.zone_for("example.com").serial(None)
    assert serials.zone == "example.com"
    assert serials.serials == {
        "ns1.dns.test": newest - 1,
        "ns2.dns.test": newest - 1,
        "ns3.dns.test": newest,
    }
