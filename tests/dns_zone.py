"""A real zone server on loopback with three authoritative nameservers that can disagree."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest

from emulator.dns_server import DnsServerHandle, start_dns_server
from emulator.zones import ZoneStore
from identities.dns.expected import DomainSpec, expected_records
from identities.dns.probe import ProbeConfig, Prober
from identities.dns.verdict import RecordVerdict, SesState, judge_domain

NS = {"ns1.dns.test": "127.0.0.2", "ns2.dns.test": "127.0.0.3", "ns3.dns.test": "127.0.0.4"}
TIMEOUT = 0.3


def public_key_b64(body_size: int = 290) -> str:
    """A well-framed DER SEQUENCE like a 2048-bit RSA SubjectPublicKeyInfo (~392 base64 chars)."""
    body = os.urandom(body_size)
    return base64.b64encode(b"\x30\x82" + len(body).to_bytes(2, "big") + body).decode()


@pytest.fixture
def zones() -> ZoneStore:
    store = ZoneStore()
    store.add_zone("example.com", NS)
    return store


@pytest.fixture
def dns_server(zones: ZoneStore) -> Iterator[DnsServerHandle]:
    handle = start_dns_server(zones, 0)
    yield handle
    handle.stop()


@pytest.fixture
def config(dns_server: DnsServerHandle) -> ProbeConfig:
    return ProbeConfig(("127.0.0.1", dns_server.port), dns_server.port, TIMEOUT, 8)


def verdicts(
    config: ProbeConfig, spec: DomainSpec, ses: SesState | None = None
) -> dict[str, RecordVerdict]:
    """Probe `spec`'s records; verdicts keyed by "<purpose> <name>"."""
    records = expected_records(spec)
    hints = {r.name: r.zone_hint for r in records}
    probes = Prober(config).probe([(r.name, r.rtype) for r in records], hints)
    return {f"{v.record.purpose} {v.record.name}": v for v in judge_domain(records, probes, ses)}
