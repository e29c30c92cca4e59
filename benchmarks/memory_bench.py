"""Memory benchmark: peak RSS of a worker process syncing N identities (10,000: SES's cap
per region) in one region. Target: under 300 MB.

The emulator runs in its own process (rate limit off: memory does not depend on pacing).
The worker is a fresh `python -m benchmarks.memory_bench --child` process that sets up
Django, runs the Celery task `sync_region_task` in-process (`.apply()`, as a worker's pool
process would) twice (a first sync, then a re-sync that diffs against the 10,000 stored
rows) and reports its own peak RSS from the kernel (VmHWM in /proc/self/status), plus the
RSS before the sync started for reference. Not getrusage's ru_maxrss: Linux carries it over
fork and exec, so it would report the parent benchmark's peak (the dashboard data) instead.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks import REPO, bench_environ, world

TARGET_MB = 300.0


@dataclass
class MemoryReport:
    n: int
    baseline_mb: float
    peak_mb: float
    peak_first_mb: float
    ru_maxrss_mb: float
    sync_seconds: float
    resync_seconds: float
    status: str
    resync_status: str
    calls: int
    stored: int


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(url: str, n: int) -> dict[str, Any]:
    """Runs in the worker process: sync one region of `n` identities, report memory."""
    import os

    from benchmarks import configure

    configure(migrate=False)
    from django.conf import settings

    from benchmarks.sync_bench import _point_boto3_at, prepare_regions
    from identities.models import RegionalIdentity
    from identities.tasks import sync_region_task

    settings.SESOPS_SES_RATE = 0  # the emulator does not throttle here; pacing costs no memory
    _point_boto3_at(url)
    region = prepare_regions(world.regions(1))[0]
    baseline = _status_kb("VmRSS")
    started = time.monotonic()
    status = sync_region_task.apply(args=[region.pk], kwargs={"trigger": "benchmark"}).get()
    seconds = time.monotonic() - started
    peak_first = _status_kb("VmHWM")
    # A re-sync loads every stored row to diff against: its peak counts too.
    started = time.monotonic()
    resync_status = sync_region_task.apply(args=[region.pk], kwargs={"trigger": "benchmark"}).get()
    resync_seconds = time.monotonic() - started
    from regions.models import SyncRun

    run = SyncRun.objects.filter(region=region).order_by("pk").first()  # the first sync
    out = {
        "n": n,
        "baseline_kb": baseline,
        "peak_kb": _status_kb("VmHWM"),
        "peak_first_kb": peak_first,
        "resync_seconds": resync_seconds,
        "resync_status": resync_status,
        "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "sync_seconds": seconds,
        "status": status,
        "calls": run.calls if run else 0,
        "stored": RegionalIdentity.objects.filter(region=region, present=True).count(),
        "pid": os.getpid(),
    }
    return out


def run(*, n: int, log: Callable[[str], None] = print) -> MemoryReport:
    log(f"memory: seeding the emulator with 1 region x {n} identities ...")
    code = world.regions(1)
    with world.emulator_process(world.scenario(code, n, 0, 1)) as emu:
        log("memory: a worker process syncs the region ...")
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory_bench", "--child", emu.url, str(n)],
            cwd=REPO,
            env=bench_environ(),
            capture_output=True,
            text=True,
            timeout=1800,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the worker process failed:\n{proc.stderr[-3000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    raw = json.loads(last)
    return MemoryReport(
        n=raw["n"],
        baseline_mb=raw["baseline_kb"] / 1024,
        peak_mb=raw["peak_kb"] / 1024,
        peak_first_mb=raw["peak_first_kb"] / 1024,
        ru_maxrss_mb=raw["ru_maxrss_kb"] / 1024,
        sync_seconds=raw["sync_seconds"],
        resync_seconds=raw["resync_seconds"],
        status=raw["status"],
        resync_status=raw["resync_status"],
        calls=raw["calls"],
        stored=raw["stored"],
    )


def report_lines(rep: MemoryReport) -> Iterator[str]:
    ok = rep.peak_mb < TARGET_MB
    yield f"MEMORY — one worker process syncing {rep.n} identities in one region"
    yield (
        f"  peak RSS (VmHWM) {rep.peak_mb:.0f} MB over a first sync and a re-sync "
        f"(first sync alone {rep.peak_first_mb:.0f} MB; {rep.baseline_mb:.0f} MB before)"
        f"   target < {TARGET_MB:g} MB: " + ("ok" if ok else "MISSED")
    )
    yield (
        f"  first sync: {rep.status}, {rep.calls} API calls, {rep.stored} regional identities "
        f"stored, {rep.sync_seconds:.1f}s unthrottled; re-sync: {rep.resync_status}, "
        f"{rep.resync_seconds:.1f}s"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.memory_bench")
    p.add_argument("--child", nargs=2, metavar=("EMULATOR_URL", "N"), required=True)
    args = p.parse_args(argv)
    url, n = args.child[0], int(args.child[1])
    print(json.dumps(child(url, n)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
