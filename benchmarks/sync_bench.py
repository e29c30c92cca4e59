"""Sync benchmark: R regions x N identities against the SES emulator at r requests/s per
region. Measures sesops' sync (all regions at once, one worker process per region as
Celery's prefork pool runs one task per process: benchmarks/workers.py), an incremental
re-sync with nothing changed, and the naive sync
(benchmarks/naive_sync.py), and prints each next to the API's floor.

Floor (the fewest calls that return the same information; `world.FLOOR_FORMULA`), per
region, with N identities, D of them domains, G = the domains and the identities listed not SUCCESS:
    first sync = 1 GetAccount + ceil(N/1000) ListEmailIdentities + ceil(D/100)
                 GetIdentityVerificationAttributes + ceil((N-G)/100)
                 GetIdentityMailFromDomainAttributes + G GetEmailIdentity
    re-sync    = 1 + ceil(N/1000) + ceil(D/100) GetIdentityDkimAttributes + ceil(N/100)
                 GetIdentityMailFromDomainAttributes   (no per-identity call)
Ideal wall time = max over regions of (calls made in that region) / r.

API calls are the emulator's own request counts (every HTTP request that reached it,
throttled ones included), not the client's opinion of what it sent.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from benchmarks import workers, world
from benchmarks.naive_sync import FAKE_KEY, FAKE_SECRET, naive_sync

SYNC_OPERATIONS = {
    "GetAccount",
    "ListEmailIdentities",
    "ListMultiRegionEndpoints",
    "ListRecommendations",
}
BATCH_OPERATIONS = {
    "GetIdentityVerificationAttributes",
    "GetIdentityDkimAttributes",
    "GetIdentityMailFromDomainAttributes",
}
CALLS_TARGET, WALL_TARGET = 1.05, 1.2


@dataclass
class RunFigures:
    label: str
    regions: int
    identities: int  # per region
    rps: float
    calls: int
    floor: int
    wall: float
    ideal: float
    throttled_seen: int  # 429s the emulator answered
    surfaced: int  # sync runs that ended with an error (what a user would see)
    by_operation: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    note: str = ""
    cpu: str = ""  # CPU seconds spent by the syncing process and the emulator
    region_seconds: list[float] = field(default_factory=list)  # each SyncRun, start to end

    @property
    def calls_ratio(self) -> float:
        return self.calls / self.floor if self.floor else math.inf

    @property
    def wall_ratio(self) -> float:
        return self.wall / self.ideal if self.ideal else math.inf


@dataclass
class SyncReport:
    first: RunFigures
    resync: RunFigures
    naive: RunFigures | None
    data_check: str
    clients_seconds: float = 0.0  # building the boto3 clients, before the timed runs


def _point_boto3_at(url: str) -> None:
    """sesops finds the emulator through boto3's own variables, as in production."""
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ["AWS_ACCESS_KEY_ID"] = FAKE_KEY
    os.environ["AWS_SECRET_ACCESS_KEY"] = FAKE_SECRET
    os.environ.pop("AWS_PROFILE", None)
    from regions import ses

    ses.clear_client_cache()


def prepare_regions(region_codes: list[str]) -> list[Any]:
    """A fresh account holding the benchmark's regions (and no identity rows yet)."""
    from benchmarks.data import wipe
    from regions.models import AwsAccount, Region

    wipe()
    account = AwsAccount.objects.create(label="bench-sync", account_id=world.ACCOUNT_ID)
    Region.objects.bulk_create([Region(account=account, code=c) for c in region_codes])
    return list(Region.objects.filter(account=account).select_related("account").order_by("code"))


def sync_all(regions: list[Any], *, parallel: bool = True) -> tuple[float, list[Any]]:
    """Sync every region at once in worker processes (or one after the other)."""
    return workers.sync_all(regions, "processes" if parallel else "serial")


def warm_clients(regions: list[Any]) -> float:
    """Build every region's boto3 clients (a worker builds them once and keeps them)."""
    from regions import ses

    started = time.monotonic()
    for region in regions:
        ses.client_for(region.account, region.code)
    return time.monotonic() - started


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process (this one when pid is None)."""
    if pid is None:
        return workers.cpu_seconds()  # this process and its finished worker processes
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by this process and the emulator's (when it runs apart) over a block."""

    def __init__(self, emu: Any) -> None:
        proc = getattr(emu, "proc", None)
        self.pid = proc.pid if proc is not None else None

    def __enter__(self) -> CpuMeter:
        self.start = (process_cpu(None), process_cpu(self.pid) if self.pid else 0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        mine = process_cpu(None) - self.start[0]
        emu = (process_cpu(self.pid) - self.start[1]) if self.pid else None
        self.text = f"sync {mine:.1f}s" + (
            f", emulator {emu:.1f}s" if emu is not None else " (emulator in-process)"
        )


def _timed_sync(
    label: str, emu: Any, regions: list[Any], floor: int, rps: float, n: int, mode: str
) -> RunFigures:
    world.reset_stats(emu)
    with CpuMeter(emu) as meter:
        wall, runs = workers.sync_all(regions, mode)
    fig = _figures(label, world.read_stats(emu), floor, wall, rps, len(regions), n, runs)
    fig.cpu = meter.text
    return fig


def _figures(
    label: str,
    stats: world.Stats,
    floor: int,
    wall: float,
    rps: float,
    n_regions: int,
    n: int,
    runs: list[Any] | None,
) -> RunFigures:
    ideal = max(stats.by_region.values(), default=0) / rps if rps else 0.0
    statuses: dict[str, int] = {}
    for run in runs or []:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    surfaced = sum(1 for run in runs or [] if run.status != "succeeded" or run.error)
    durations = sorted(
        (run.finished_at - run.started_at).total_seconds()
        for run in runs or []
        if run.finished_at and run.started_at
    )
    return RunFigures(
        label,
        n_regions,
        n,
        rps,
        stats.total,
        floor,
        wall,
        ideal,
        stats.throttled,
        surfaced,
        dict(sorted(stats.by_operation.items())),
        statuses,
        region_seconds=durations,
    )


def check_data(region_codes: list[str], n: int) -> str:
    """Did the sync store what SES holds? Compares every row with the scenario's spec."""
    from identities.models import RegionalIdentity

    expected = {s.name: s for s in world.identity_specs(n)}
    wrong = 0
    rows = RegionalIdentity.objects.filter(present=True).values_list(
        "region__code", "identity__name", "verification_status"
    )
    seen = 0
    for code, name, status in rows.iterator(chunk_size=5000):
        seen += 1
        spec = expected.get(name)
        if code not in region_codes or spec is None or spec.status != status:
            wrong += 1
    missing = len(region_codes) * n - seen + wrong
    if wrong or seen != len(region_codes) * n:
        return f"MISMATCH: {seen} rows stored, {wrong} wrong, {missing} missing or wrong"
    return f"ok ({seen} regional identities stored, statuses match SES)"


def run(
    *,
    n_regions: int,
    n: int,
    rps: float,
    burst: float,
    naive_regions: int,
    resync_rps: float | None = None,
    emulator: Callable[[dict[str, Any]], AbstractContextManager[Any]] | None = None,
    parallel: bool = True,
    workers_mode: str = "processes",
    log: Callable[[str], None] = print,
) -> SyncReport:
    """Run the whole sync benchmark; `emulator(scenario)` gives a running emulator (default:
    its own process, so its CPU is not the sync's). `workers_mode`: see benchmarks/workers.py
    (`parallel=False` means "serial"). `resync_rps`: the re-sync's rate (default `rps`): its
    ideal is short, so it can run at SES's real 1 request/s, where a sync's fixed costs
    (database, Python) weigh what they weigh in production."""
    mode = workers_mode if parallel else "serial"
    from django.conf import settings

    codes = world.regions(n_regions)
    emulator = emulator or world.emulator_process
    floor = world.floor_per_region(n)
    log(f"sync: seeding the emulator with {n_regions} regions x {n} identities ...")
    with emulator(world.scenario(codes, n, rps, burst)) as emu:
        _point_boto3_at(emu.url)
        old_rate = settings.SESOPS_SES_RATE
        settings.SESOPS_SES_RATE = rps
        try:
            regions = prepare_regions(codes)
            clients_seconds = warm_clients(regions)
            log(f"sync: first sync (ideal ≈ {floor.first / rps if rps else 0:.0f}s) ...")
            first = _timed_sync(
                "sesops, first sync", emu, regions, floor.first * n_regions, rps, n, mode
            )
            data_check = check_data(codes, n)
            rr = rps if resync_rps is None else resync_rps
            ideal = floor.resync / rr if rr else 0
            log(f"sync: re-sync with nothing changed (ideal ≈ {ideal:.0f}s) ...")
            _set_rate(emu, codes, rr, burst)
            resync = _timed_sync(
                f"sesops, re-sync (no change) at {rr:g} req/s"
                if rr != rps
                else "sesops, re-sync (no change)",
                emu,
                regions,
                floor.resync * n_regions,
                rr,
                n,
                mode,
            )
            _set_rate(emu, codes, rps, burst)
        finally:
            settings.SESOPS_SES_RATE = old_rate
        naive = None
        if naive_regions:
            k = min(naive_regions, n_regions)
            log(f"sync: naive sync of {k} region(s) (≈ {k * (n + 2) / rps if rps else 0:.0f}s) ...")
            world.reset_stats(emu)
            with CpuMeter(emu) as meter:
                result = naive_sync(emu.url, codes[:k], rps)
            naive = _naive_figures(world.read_stats(emu), result, floor.first, n_regions, k, rps, n)
            naive.cpu = meter.text + f" (for {k} region{'s' if k > 1 else ''})"
    return SyncReport(first, resync, naive, data_check, clients_seconds)


def _set_rate(emu: Any, codes: list[str], rps: float, burst: float) -> None:
    """The same rate for SES (the emulator's buckets) and for sesops' limiter."""
    from django.conf import settings

    world.set_rate(emu, codes, rps, burst)
    settings.SESOPS_SES_RATE = rps


def _naive_figures(
    stats: world.Stats, result: Any, floor: int, n_regions: int, k: int, rps: float, n: int
) -> RunFigures:
    """The naive sync runs region after region, so R regions cost R/k times k regions."""
    scale = n_regions / k
    ideal = sum(stats.by_region.values()) / rps if rps else 0.0  # sequential: regions add up
    fig = RunFigures(
        "naive (sequential, GetEmailIdentity each)",
        n_regions,
        n,
        rps,
        round(stats.total * scale),
        floor * n_regions,
        result.wall_seconds * scale,
        ideal * scale,
        round(stats.throttled * scale),
        round(result.errors * scale),
        {op: round(c * scale) for op, c in sorted(stats.by_operation.items())},
    )
    if k != n_regions:
        fig.note = f"measured on {k} of {n_regions} regions, x{scale:g} (sequential: time adds up)"
    return fig


# -- printing -------------------------------------------------------------------------
def _ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def _figure_lines(fig: RunFigures, *, targets: bool) -> Iterator[str]:
    def target(text: str, ok: bool) -> str:
        return f"   (target {text}: {_ok(ok)})" if targets else ""

    yield f"  {fig.label}:" + (f"  [{fig.note}]" if fig.note else "")
    yield (
        f"    API calls        {fig.calls:>8}   floor {fig.floor}   ratio {fig.calls_ratio:.3f}"
        + target(f"≤ {CALLS_TARGET}", fig.calls_ratio <= CALLS_TARGET)
    )
    yield (
        f"    wall time        {fig.wall:>8.1f}s  ideal {fig.ideal:.1f}s"
        f"   ratio {fig.wall_ratio:.2f}" + target(f"≤ {WALL_TARGET}", fig.wall_ratio <= WALL_TARGET)
    )
    yield (
        f"    throttling       {fig.throttled_seen:>8} answered 429, {fig.surfaced} runs ended in"
        " error" + target("0 surfaced", fig.surfaced == 0)
    )
    yield "    calls by op      " + ", ".join(f"{k} {v}" for k, v in fig.by_operation.items())
    if fig.cpu:
        yield f"    CPU              {fig.cpu}"
    if fig.statuses:
        yield "    sync runs        " + ", ".join(f"{k} {v}" for k, v in fig.statuses.items())
    if fig.region_seconds:
        d = fig.region_seconds
        yield (
            f"    per region       {d[len(d) // 2]:.1f}s median, {d[0]:.1f}s..{d[-1]:.1f}s"
            f" (SyncRun start to end; a region's ideal is {fig.ideal:.1f}s)"
        )
    if targets and fig.rps > 1 and fig.ideal:
        # The non-API time (database, Python) does not grow when the rate drops to SES's.
        real = fig.ideal * fig.rps
        overhead = max(fig.wall - fig.ideal, 0.0)
        yield (
            f"    at SES's 1 req/s ideal {real:.0f}s; with the same {overhead:.1f}s of non-API"
            f" time the ratio would be {(real + overhead) / real:.2f} (projection)"
        )


def report_lines(rep: SyncReport) -> Iterator[str]:
    f, r, nv = rep.first, rep.resync, rep.naive
    yield (
        f"SYNC — {f.regions} regions x {f.identities} identities, {f.rps:g} req/s per region "
        "(emulator's own request counts)"
    )
    yield f"  floor: {world.FLOOR_FORMULA}"
    for fig in (f, r, nv):
        if fig is not None:
            yield from _figure_lines(fig, targets=fig is not nv)
    extra = sorted(set(r.by_operation) - SYNC_OPERATIONS - BATCH_OPERATIONS)
    yield "  re-sync uses only GetAccount, list and batch calls: " + (
        f"MISSED (also {', '.join(extra)})" if extra else "ok"
    )
    yield f"  stored data vs SES: {rep.data_check}"
    yield (
        f"  boto3 clients for {f.regions} regions built before timing: {rep.clients_seconds:.1f}s"
        " (once per worker process)"
    )
    yield (
        f"  regions run in parallel only with >= {f.regions} worker slots: a pool of 2 (the"
        f" demo's `celery worker --concurrency 2`) runs 2 at a time, ≈ "
        f"{math.ceil(f.regions / 2)} x {f.ideal:.1f}s = {math.ceil(f.regions / 2) * f.ideal:.0f}s"
        " here (projection)"
    )
    if nv is not None:
        yield (
            f"  naive / sesops: calls x{nv.calls / max(f.calls, 1):.1f}, "
            f"wall time x{nv.wall / max(f.wall, 1e-9):.1f}"
        )
