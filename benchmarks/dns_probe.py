"""Probe N domains against the emulator's zone server with bounded concurrency; print figures.

    python -m benchmarks.dns_probe [--domains 500] [--concurrency 16] [--timeout 2]

Each domain is its own zone on three loopback nameservers, with Easy DKIM (3 CNAMEs), a
MAIL FROM (MX + SPF) and DMARC — 6 expected records. Some domains are broken on purpose
(a missing CNAME, a record on one nameserver only, a timeout on one nameserver) so the
probe also pays for diagnosis queries and timeouts, as it would in real life. Pure path:
no database (the service adds only the DnsCheck writes)."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script too

from emulator.dns_server import start_dns_server
from emulator.zones import ZoneStore
from identities.dns.expected import DomainSpec, expected_records
from identities.dns.probe import ProbeConfig, Prober
from identities.dns.verdict import judge_domain

NAMESERVERS = {
    "ns1.bench.test": "127.0.0.2",
    "ns2.bench.test": "127.0.0.3",
    "ns3.bench.test": "127.0.0.4",
}


def build(store: ZoneStore, count: int) -> list[DomainSpec]:
    specs = []
    for i in range(count):
        domain = f"d{i:04d}.bench.test"
        tokens = [f"t{i}a", f"t{i}b", f"t{i}c"]
        store.add_zone(domain, NAMESERVERS)
        for n, token in enumerate(tokens):
            if i % 10 == 3 and n == 2:
                continue  # 10%: one DKIM CNAME missing (→ diagnosis queries)
            servers = ["ns1.bench.test"] if i % 20 == 7 and n == 0 else None  # 5%: partial
            store.add_record(
                f"{token}._domainkey.{domain}",
                "CNAME",
                f"{token}.dkim.amazonses.com",
                servers=servers,
            )
        store.add_record(f"mail.{domain}", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
        store.add_record(f"mail.{domain}", "TXT", "v=spf1 include:amazonses.com ~all")
        if i % 4:
            store.add_record(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=none")
        if i % 100 == 50:
            store.set_fault(f"_dmarc.{domain}", "timeout", server="ns3.bench.test")  # 1%
        specs.append(DomainSpec(domain, "us-east-1", tokens, "AWS_SES", "", f"mail.{domain}"))
    return specs


def _serve(count: int, conn) -> None:
    """Child process: the zone server, so it does not share a GIL with the probe's threads."""
    store = ZoneStore()
    build(store, count)
    server = start_dns_server(store, 0)
    conn.send(server.port)
    conn.recv()  # until the parent is done
    server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args(argv)
    specs = build(ZoneStore(), args.domains)
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_serve, args=(args.domains, there), daemon=True)
    child.start()
    try:
        port = here.recv()
        config = ProbeConfig(("127.0.0.1", port), port, args.timeout, args.concurrency)
        plans = [(spec, expected_records(spec)) for spec in specs]
        prober = Prober(config)
        started = time.perf_counter()
        records = [r for _, rs in plans for r in rs]
        probes = prober.probe(
            [(r.name, r.rtype) for r in records], {r.name: r.zone_hint for r in records}
        )
        probed = time.perf_counter() - started
        verdicts = Counter(v.verdict for _, records in plans for v in judge_domain(records, probes))
        total = time.perf_counter() - started
    finally:
        here.send("stop")
        child.join(timeout=10)
    records = sum(verdicts.values())
    print(f"domains:           {args.domains} ({records} expected records, 3 nameservers each)")
    print(f"concurrency:       {args.concurrency} threads, timeout {args.timeout:g} s")
    print(
        f"wall time:         {total:.2f} s (probe {probed:.2f} s, verdicts {total - probed:.2f} s)"
    )
    rate, per_domain = prober.queries / probed, prober.queries / args.domains
    print(f"DNS queries:       {prober.queries} ({rate:.0f}/s, {per_domain:.1f} per domain)")
    print("verdicts:          " + ", ".join(f"{k} {n}" for k, n in sorted(verdicts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
