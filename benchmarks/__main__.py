"""`python -m benchmarks [--quick] [sync|dashboard|memory ...]` — run all or some, print figures.

Defaults (the full run, minutes on a small machine):
  sync       20 regions x 1,000 identities at 5 requests/s per region (SES allows ~1/s;
             the rate is scaled so a run ends in minutes, and kept low enough that 20
             regions x r requests/s stay within what this 2-core machine serves: above
             that, wall time measures the CPU, not the pacing); the naive sync is measured
             on 1 region and scaled (it is sequential, so time adds up); the re-sync
             runs at SES's real 1 request/s (13 calls a region: its ideal is short)
  dashboard  20 regions x 1,000 and x 10,000 identities in PostgreSQL
  memory     one worker syncing 10,000 identities in one region
  org        5 accounts x 20 regions x 1,000 identities (--full: 10,000) synced by one real
             Celery worker deployment (--deployment), first sync then re-sync at 1 request/s
--quick: 3 x 200 sync at 20 requests/s, dashboard 200 and 1,000, memory 2,000, org 2 x 3 x 200.
The database is SESOPS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
sesops_bench), created and migrated when missing; its sesops tables are wiped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

BENCHES = ("sync", "dashboard", "memory", "org")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("which", nargs="*", metavar="sync|dashboard|memory", help="(default: all)")
    p.add_argument("--quick", action="store_true", help="small sizes, for development")
    p.add_argument("--regions", type=int, help="sync: regions (20; quick 3)")
    p.add_argument("--identities", type=int, help="sync: identities per region (1000; quick 200)")
    p.add_argument("--rate", type=float, help="sync: requests/s per region (5; quick 20)")
    p.add_argument("--burst", type=float, default=2.0, help="sync: emulator bucket size (2)")
    p.add_argument(
        "--resync-rate", type=float, default=1.0, help="sync: the re-sync's requests/s (1)"
    )
    p.add_argument(
        "--naive-regions", type=int, default=1, help="sync: regions the naive runs (1; 0: none)"
    )
    p.add_argument(
        "--workers",
        choices=["processes", "threads"],
        default="processes",
        help="sync: one worker process per region (as Celery prefork), or threads in one",
    )
    p.add_argument("--sizes", help="dashboard: comma list of N (1000,10000; quick 200,1000)")
    p.add_argument("--dashboard-regions", type=int, default=20, help="dashboard: regions (20)")
    p.add_argument("--runs", type=int, default=9, help="dashboard: timed runs per request (9)")
    p.add_argument("--memory-identities", type=int, help="memory: identities (10000; quick 2000)")
    p.add_argument("--profile", action="store_true", help="dashboard: cProfile the first page")
    p.add_argument("--full", action="store_true", help="org: 10,000 identities per region")
    p.add_argument("--accounts", type=int, help="org: accounts (5; quick 2)")
    p.add_argument("--org-regions", type=int, help="org: regions per account (20; quick 3)")
    p.add_argument("--org-identities", type=int, help="org: identities per region (1000)")
    p.add_argument("--org-rate", type=float, default=2.0, help="org: first sync req/s (2)")
    p.add_argument("--deployment", default=None, help="org: worker deployment (see org_sync)")
    p.add_argument("--deadline", type=float, default=1800, help="org: seconds per round (1800)")
    args = p.parse_args(argv)
    unknown = [w for w in args.which if w not in BENCHES]
    if unknown:
        p.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHES)})")
    args.which = args.which or list(BENCHES)
    q = args.quick
    args.regions = args.regions or (3 if q else 20)
    args.rate = args.rate if args.rate is not None else (20.0 if q else 5.0)
    args.identities = args.identities or (200 if q else 1000)
    args.sizes = [int(x) for x in (args.sizes or ("200,1000" if q else "1000,10000")).split(",")]
    args.memory_identities = args.memory_identities or (2000 if q else 10000)
    args.accounts = args.accounts or (2 if q else 5)
    args.org_regions = args.org_regions or (3 if q else 20)
    args.org_identities = args.org_identities or (200 if q else 10000 if args.full else 1000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from benchmarks import bench_database_url, configure

    print(f"benchmarks: {', '.join(args.which)} on {bench_database_url()}", flush=True)
    if "org" in args.which:
        from benchmarks.org_sync import bench_redis_url

        # The org run's worker and limiter share Redis (the whole run then uses it).
        os.environ["REDIS_URL"] = bench_redis_url()
    configure()
    started = time.monotonic()
    out: list[str] = []

    def log(line: str) -> None:
        print(f"  .. {line}", file=sys.stderr, flush=True)

    def show(lines: list[str]) -> None:
        out.extend(lines)
        print("\n".join(lines), flush=True)

    if "sync" in args.which:
        from benchmarks import sync_bench

        rep = sync_bench.run(
            n_regions=args.regions,
            n=args.identities,
            rps=args.rate,
            burst=args.burst,
            naive_regions=args.naive_regions,
            resync_rps=args.resync_rate,
            workers_mode=args.workers,
            log=log,
        )
        show(list(sync_bench.report_lines(rep)))
    if "dashboard" in args.which:
        from benchmarks import dashboard_bench

        rep = dashboard_bench.run(
            sizes=args.sizes,
            n_regions=args.dashboard_regions,
            runs=args.runs,
            profile=args.profile,
            log=log,
        )
        show(list(dashboard_bench.report_lines(rep)))
    if "memory" in args.which:
        from benchmarks import memory_bench

        rep = memory_bench.run(n=args.memory_identities, log=log)
        show(list(memory_bench.report_lines(rep)))
    if "org" in args.which:
        from benchmarks import org_sync

        rep = org_sync.run(
            accounts=args.accounts,
            regions_per_account=args.org_regions,
            n=args.org_identities,
            first_rps=args.org_rate,
            deployment=args.deployment or org_sync.DEFAULT_DEPLOYMENT,
            deadline=args.deadline,
            log=log,
        )
        show(list(org_sync.report_lines(rep)))
    print(f"\n==== all figures ({time.monotonic() - started:.0f}s) ====")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
