"""`python -m benchmarks.sync_3x1000` — the closing note's figures: API calls per region for
1,000 identities, and the sync wall time of 3 regions x 1,000 identities against the
emulator at SES's real pace, 1 request/s per region (burst 1).

It runs benchmarks/sync_bench.py's harness (emulator in its own process, the identity mix
of benchmarks/world.py: 1 in 10 a domain, a few pending or failed, half the domains with a
custom MAIL FROM) at that size and rate, without the naive baseline (sequential, it would
take an hour at 1 request/s). It prints figures; it asserts nothing.

The database is SESOPS_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/
sesops_bench_sync3x1000 (created, migrated, its sesops tables wiped).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

if __package__ in {None, ""}:  # `python benchmarks/sync_3x1000.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sesops_bench_sync3x1000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--identities", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1.0, help="requests/s per region (1)")
    parser.add_argument("--burst", type=float, default=1.0, help="emulator bucket size (1)")
    args = parser.parse_args(argv)

    from benchmarks import configure

    configure(os.environ.get("SESOPS_BENCH_DATABASE_URL") or DEFAULT_DB)
    from benchmarks import sync_bench, world

    def log(line: str) -> None:
        print(f"  .. {line}", file=sys.stderr, flush=True)

    report = sync_bench.run(
        n_regions=args.regions,
        n=args.identities,
        rps=args.rate,
        burst=args.burst,
        naive_regions=0,
        log=log,
    )
    floor = world.floor_per_region(args.identities)
    first, resync = report.first, report.resync
    print(f"API calls per region, {args.identities} identities (emulator's counts):")
    print(f"  first sync   {first.calls / args.regions:8.1f}   floor {floor.first}")
    print(f"  re-sync      {resync.calls / args.regions:8.1f}   floor {floor.resync}")
    print(
        f"Sync wall time, {args.regions} regions x {args.identities} identities in parallel, "
        f"{args.rate:g} request/s per region:"
    )
    print(f"  first sync   {first.wall:8.1f}s  ideal {first.ideal:.1f}s")
    print(f"  re-sync      {resync.wall:8.1f}s  ideal {resync.ideal:.1f}s")
    print()
    for line in sync_bench.report_lines(report):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
