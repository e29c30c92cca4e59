"""Organisation-sized sync: A accounts x R regions x N identities (default 5 x 20 x 1,000)
synced by one real Celery worker deployment, started the way the README says, fed by
beat's fan-out (`sync_all_regions`), against the SES emulator in its own process.

Two rounds, each on a freshly started worker (its boto3 clients built inside the round):
a first sync at `first_rps` requests/s per account-region, then a re-sync with nothing
changed at SES's real 1 request/s. Both SES (the emulator's buckets) and sesops' Redis
limiter run at the round's rate.

Printed per round, next to the targets of issue 18:
- wall time from the fan-out to the last region's end vs the ideal (the busiest
  account-region's calls / rate): ≤ 1.2;
- API calls (the emulator's own counts) vs the floor: ≤ 1.05;
- peak database connections of the run (pg_stat_activity, sampled every 0.2 s);
- peak RSS (VmHWM) of each worker process: < 300 MB.

`deadline` stops waiting for a round that runs long (the old one-region-per-process
worker): the figures then say how many regions finished and project the rest.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks import REPO, bench_environ, world

CALLS_TARGET, WALL_TARGET, RSS_TARGET_MB = 1.05, 1.2, 300.0
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
DEFAULT_DEPLOYMENT = "threads"


class Deployment(NamedTuple):
    """A worker deployment: `celery worker` argument lists (one per process), the settings
    its recipe gives the workers, and how the report names it."""

    commands: list[list[str]]
    env: dict[str, str]
    description: str


THREADS = ["worker", "--pool", "threads", "--concurrency", "50"]
THREADS_ENV = {"SESOPS_DB_POOL": "8"}  # the README's worker line
DEPLOYMENTS: dict[str, Deployment] = {
    "threads": Deployment(
        [THREADS, THREADS],
        THREADS_ENV,
        f"2 x {' '.join(f'{k}={v}' for k, v in THREADS_ENV.items())} celery worker --pool threads"
        " --concurrency 50 (the README's recipe on 2 cores)",
    ),
    "prefork": Deployment(
        [["worker", "--concurrency", "2"]],
        {},
        "celery worker --concurrency 2 (prefork: one region per process)",
    ),
}


def bench_redis_url() -> str:
    return os.environ.get("SESOPS_BENCH_REDIS_URL") or DEFAULT_REDIS


def account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i:012d}" for i in range(count)]


def access_key(account_id: str) -> str:
    return f"AKIAORG{account_id}"[:20]


def org_scenario(accounts: int, codes: list[str], n: int, rps: float) -> dict[str, Any]:
    """Every account holds the same N identities in each of its regions."""
    base = world.scenario(codes, n, rps, burst=2.0)
    regions = base["accounts"][0]["regions"]
    base["accounts"] = [
        {"id": aid, "label": f"org{i}", "access_keys": [access_key(aid)], "regions": regions}
        for i, aid in enumerate(account_ids(accounts))
    ]
    return base


@dataclass
class RoundFigures:
    label: str
    rps: float
    regions: int
    done: int
    calls: int
    floor: int
    wall: float
    ideal: float
    throttled: int
    surfaced: int
    statuses: dict[str, int]
    peak_connections: int
    rss_mb: list[float] = field(default_factory=list)  # VmHWM of each worker process
    worker_cpu: float = 0.0
    emulator_cpu: float = 0.0
    postgres_cpu: float = 0.0
    last_start: float = 0.0  # seconds from the fan-out to the last region's sync starting
    region_seconds: list[float] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.done == self.regions

    @property
    def projected_wall(self) -> float:
        """Wall time of the whole round: measured, or projected from the regions done."""
        if self.complete or not self.done:
            return self.wall
        return self.wall * self.regions / self.done


@dataclass
class OrgReport:
    deployment: str
    accounts: int
    regions_per_account: int
    n: int
    first: RoundFigures
    resync: RoundFigures
    floor_first: int
    floor_resync: int


def _write_credentials(directory: Path, ids: list[str]) -> dict[str, str]:
    creds = directory / "credentials"
    creds.write_text(
        "".join(
            f"[org{i}]\naws_access_key_id = {access_key(aid)}\naws_secret_access_key = x\n"
            for i, aid in enumerate(ids)
        )
    )
    (directory / "config").write_text("")
    return {
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "AWS_CONFIG_FILE": str(directory / "config"),
    }


def prepare(ids: list[str], codes: list[str]) -> list[Any]:
    from benchmarks.data import wipe
    from regions.models import AwsAccount, Region
    from regions.services import DEFAULT_ACCOUNT_LABEL

    wipe()
    # The default account (boto3's default chain) stays out of the run.
    AwsAccount.objects.create(label=DEFAULT_ACCOUNT_LABEL, is_active=False)
    for i, aid in enumerate(ids):
        acct = AwsAccount.objects.create(label=f"org{i}", account_id=aid, profile_name=f"org{i}")
        Region.objects.bulk_create([Region(account=acct, code=c) for c in codes])
    return list(Region.objects.filter(account__is_active=True).select_related("account"))


# -- the worker processes ---------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def _status_mb(pid: int, key: str) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu(pid: int, *, children: bool = False) -> float:
    """User + system CPU seconds of a process (`children`: and of its children it reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> float:
    """CPU seconds of the local PostgreSQL: its postmaster with the backends it reaped (a
    sync's connection ends with its visit), plus the backends alive now; 0 when not local."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            parent_is_postgres = (Path("/proc") / parent / "comm").read_text().strip() == "postgres"
        except OSError:
            continue
        total += _cpu(int(entry.name), children=not parent_is_postgres)
    return total


class Workers:
    """The deployment's `celery worker` processes; stopped (and their queue purged) on exit."""

    def __init__(self, commands: list[list[str]], env: dict[str, str], logdir: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        for i, args in enumerate(commands):
            log = logdir / f"worker{i}.log"
            self.logs.append(log)
            name = ["-n", f"org{i}-{uuid.uuid4().hex[:6]}@%h"]
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "config", *args, *name, "-l", "INFO"],
                    cwd=REPO,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(" ready." in log.read_text() for log in self.logs):
                return
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.2)
        tails = "\n".join(log.read_text()[-2000:] for log in self.logs)
        raise RuntimeError(f"the Celery worker did not start:\n{tails}")

    def pids(self) -> list[int]:
        out = []
        for p in self.procs:
            out.append(p.pid)
            out.extend(_children(p.pid))
        return out

    def cpu(self) -> float:
        return sum(_cpu(pid) for pid in self.pids())

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def _connections() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


def _finished(since: Any) -> int:
    from regions.models import SyncRun

    return (
        SyncRun.objects.filter(kind=SyncRun.Kind.SES, started_at__gte=since)
        .exclude(status__in=[SyncRun.Status.RUNNING, SyncRun.Status.SKIPPED])
        .exclude(finished_at=None)
        .values("region")
        .distinct()
        .count()
    )


def _purge(queue: str, redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).delete(queue)


def _round(
    label: str,
    *,
    emu: Any,
    regions: list[Any],
    rps: float,
    floor: int,
    deployment: str,
    env: dict[str, str],
    logdir: Path,
    deadline: float,
    log: Callable[[str], None],
) -> RoundFigures:
    from django.utils import timezone

    from identities.tasks import sync_all_regions
    from regions.models import Region, SyncRun

    commands, deployment_env, _ = DEPLOYMENTS[deployment]
    ids = sorted({r.account.account_id for r in regions})
    codes = sorted({r.code for r in regions})
    for aid in ids:
        for code in codes:
            emu.control(
                "POST", f"/_emulator/regions/{aid}/{code}", {"rate_limit": {"rps": rps, "burst": 2}}
            )
    world.reset_stats(emu)
    round_env = {**env, **deployment_env, "SESOPS_SES_RATE": f"{rps:g}"}
    workers = Workers(commands, round_env, logdir)
    try:
        workers.wait_ready()
        cpu0 = workers.cpu()
        emu_cpu0, pg_cpu0 = _cpu(emu.proc.pid), _postgres_cpu()
        since = timezone.now()
        started = time.monotonic()
        _fresh_producer()
        sync_all_regions()  # beat's fan-out, published to the worker's queue
        peak_conn, done = 0, 0
        while time.monotonic() - started < deadline:
            peak_conn = max(peak_conn, _connections())
            done = _finished(since)
            if done >= len(regions):
                break
            time.sleep(0.2)
        wall = time.monotonic() - started
        rss = [_status_mb(pid, "VmHWM") for pid in workers.pids()]
        cpu = workers.cpu() - cpu0
        emu_cpu, pg_cpu = _cpu(emu.proc.pid) - emu_cpu0, _postgres_cpu() - pg_cpu0
    finally:
        workers.stop()
        _purge(env["SESOPS_CELERY_QUEUE"], env["REDIS_URL"])
    if done < len(regions):
        log(f"{label}: {done} of {len(regions)} regions done at the {deadline:.0f}s deadline")
        Region.objects.update(sync_lock_until=None)
        # Runs the stopped worker left queued or running would hold their regions' next sync.
        SyncRun.objects.filter(status__in=[SyncRun.Status.RUNNING, "queued"]).update(
            status=SyncRun.Status.SKIPPED, finished_at=timezone.now(), error="round stopped"
        )
    runs = list(
        SyncRun.objects.filter(kind=SyncRun.Kind.SES, started_at__gte=since).exclude(
            status=SyncRun.Status.RUNNING
        )
    )
    stats = emu.control("GET", "/_emulator/stats")
    per_region: dict[tuple[str, str], int] = defaultdict(int)
    for row in stats["counts"]:
        per_region[(row["account"], row["region"])] += row["count"]
    statuses: dict[str, int] = defaultdict(int)
    for run in runs:
        statuses[run.status] += 1
    return RoundFigures(
        label=label,
        rps=rps,
        regions=len(regions),
        done=done,
        calls=int(stats["total"]),
        floor=floor * len(regions),
        wall=wall,
        ideal=max(per_region.values(), default=0) / rps,
        throttled=int(stats["throttled_total"]),
        surfaced=sum(1 for r in runs if r.status != SyncRun.Status.SUCCEEDED or r.error),
        statuses=dict(statuses),
        peak_connections=peak_conn,
        rss_mb=rss,
        worker_cpu=cpu,
        emulator_cpu=emu_cpu,
        postgres_cpu=pg_cpu,
        last_start=max(((r.started_at - since).total_seconds() for r in runs), default=0.0),
        region_seconds=sorted(
            (r.finished_at - r.started_at).total_seconds()
            for r in runs
            if r.finished_at and r.status != SyncRun.Status.SKIPPED
        ),
    )


def run(
    *,
    accounts: int,
    regions_per_account: int,
    n: int,
    first_rps: float,
    resync_rps: float = 1.0,
    deployment: str,
    deadline: float = 1800.0,
    log: Callable[[str], None] = print,
) -> OrgReport:
    """Both rounds; the benchmark database must already be configured (benchmarks.configure)."""
    from django.conf import settings

    if deployment not in DEPLOYMENTS:
        raise ValueError(f"deployment must be one of {sorted(DEPLOYMENTS)}")
    codes = world.regions(regions_per_account)
    ids = account_ids(accounts)
    floor = world.floor_per_region(n)
    redis_url = settings.REDIS_URL or bench_redis_url()
    queue = f"sesops-org-{uuid.uuid4().hex[:8]}"
    log(f"org: seeding the emulator with {accounts} x {regions_per_account} x {n} ...")
    with (
        tempfile.TemporaryDirectory(prefix="sesops-org-") as tmp,
        world.emulator_process(org_scenario(accounts, codes, n, first_rps), timeout=600) as emu,
    ):
        logdir = Path(tmp)
        env = {
            **bench_environ(os.environ["DATABASE_URL"]),
            **_write_credentials(logdir, ids),
            "REDIS_URL": redis_url,
            "SESOPS_CELERY_QUEUE": queue,
            "SESOPS_SYNC_INTERVAL": "86400",
            "SESOPS_TASK_SOFT_TIME_LIMIT": str(int(deadline) + 600),
            "AWS_ENDPOINT_URL": emu.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(key, None)
        regions = prepare(ids, codes)
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        _point_app(redis_url, queue)
        common = {
            "emu": emu,
            "regions": regions,
            "deployment": deployment,
            "env": env,
            "logdir": logdir,
            "deadline": deadline,
            "log": log,
        }
        log(f"org: first sync at {first_rps:g} req/s (ideal ≈ {floor.first / first_rps:.0f}s) ...")
        first = _round(
            f"first sync at {first_rps:g} req/s", rps=first_rps, floor=floor.first, **common
        )
        if not first.complete:
            _seed_the_rest(regions, log)
        log(f"org: re-sync at {resync_rps:g} req/s (ideal ≈ {floor.resync / resync_rps:.0f}s) ...")
        resync = _round(
            f"re-sync (no change) at {resync_rps:g} req/s",
            rps=resync_rps,
            floor=floor.resync,
            **common,
        )
    return OrgReport(
        DEPLOYMENTS[deployment].description,
        accounts,
        regions_per_account,
        n,
        first,
        resync,
        floor.first,
        floor.resync,
    )


def _fresh_producer() -> None:
    """A new broker connection for each round's fan-out (the last one may have gone stale)."""
    from config.celery import app

    app._pool = None
    app.amqp._producer_pool = None


def _point_app(redis_url: str, queue: str) -> None:
    """This process publishes the fan-out to the worker's broker and queue."""
    from config.celery import app

    app.conf.broker_url = redis_url
    app.conf.task_default_queue = queue


def _seed_the_rest(regions: list[Any], log: Callable[[str], None]) -> None:
    """Regions the first round left unsynced get their first sync here, untimed and
    unpaced, so that the re-sync round is a re-sync everywhere."""
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    from identities.models import RegionalIdentity

    synced = set(RegionalIdentity.objects.values_list("region_id", flat=True).distinct())
    left = [r for r in regions if r.pk not in synced]
    log(f"org: seeding {len(left)} regions left unsynced (untimed) ...")
    old, settings.SESOPS_SES_RATE = settings.SESOPS_SES_RATE, 0.0

    def one(region: Any) -> None:
        from identities.sync.run import sync_region

        try:
            sync_region(region, trigger="seed")
        finally:
            connection.close()

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, left))
    finally:
        settings.SESOPS_SES_RATE = old


# -- printing -------------------------------------------------------------------------
def _ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def _round_lines(fig: RoundFigures) -> Iterator[str]:
    ratio = fig.projected_wall / fig.ideal if fig.ideal else math.inf
    calls_ratio = fig.calls / fig.floor if fig.floor else math.inf
    yield f"  {fig.label}:"
    if fig.complete:
        yield (
            f"    wall time        {fig.wall:>8.1f}s  ideal {fig.ideal:.1f}s   ratio {ratio:.2f}"
            f"   (target ≤ {WALL_TARGET}: {_ok(ratio <= WALL_TARGET)})"
        )
        yield (
            f"    API calls        {fig.calls:>8}   floor {fig.floor}   ratio {calls_ratio:.3f}"
            f"   (target ≤ {CALLS_TARGET}: {_ok(calls_ratio <= CALLS_TARGET)})"
        )
    else:
        yield (
            f"    wall time        {fig.done} of {fig.regions} regions in {fig.wall:.0f}s;"
            f" projected {fig.projected_wall:.0f}s for all, ideal {fig.ideal:.1f}s,"
            f" ratio ≈ {ratio:.1f}   (target ≤ {WALL_TARGET}: MISSED)"
        )
        yield f"    API calls        {fig.calls:>8} (round stopped: no floor comparison)"
    yield (
        f"    throttling       {fig.throttled} answered 429, {fig.surfaced} runs ended in error"
        f"   (target 0 surfaced: {_ok(fig.surfaced == 0)})"
    )
    yield f"    peak DB conns    {fig.peak_connections:>8}   (PostgreSQL's default limit: 100)"
    peak = max(fig.rss_mb, default=0.0)
    yield (
        f"    peak RSS         {peak:>8.0f} MB max of {len(fig.rss_mb)} worker processes"
        f" ({', '.join(f'{m:.0f}' for m in fig.rss_mb)})"
        f"   (target < {RSS_TARGET_MB:.0f}: {_ok(peak < RSS_TARGET_MB)})"
    )
    yield (
        f"    CPU              {fig.worker_cpu:>8.1f}s worker, {fig.emulator_cpu:.1f}s emulator,"
        f" {fig.postgres_cpu:.1f}s PostgreSQL   (2 cores: {2 * fig.wall:.0f}s in the round)"
    )
    if fig.statuses:
        yield "    sync runs        " + ", ".join(f"{k} {v}" for k, v in fig.statuses.items())
    if fig.region_seconds:
        d = fig.region_seconds
        yield (
            f"    per region       {d[len(d) // 2]:.1f}s median, {d[0]:.1f}s..{d[-1]:.1f}s;"
            f" the last region started {fig.last_start:.1f}s after the fan-out"
        )


def report_lines(rep: OrgReport) -> Iterator[str]:
    yield (
        f"ORGANISATION SYNC — {rep.accounts} accounts x {rep.regions_per_account} regions x"
        f" {rep.n} identities, one worker: {rep.deployment}"
    )
    yield f"  floor per region: first {rep.floor_first}, re-sync {rep.floor_resync} calls"
    yield from _round_lines(rep.first)
    yield from _round_lines(rep.resync)
