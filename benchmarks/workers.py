"""Run the syncs of several regions at once, the way workers would, and time them.

- "processes" (default): one forked process per region, as Celery's prefork pool runs one
  task per process. Each builds its SES clients and its database connection first, then
  all start together at a barrier, so the timing covers the syncs only. Each process has
  its own interpreter lock: the CPU work spreads over the machine's cores as in production.
- "threads": one thread per region in this process (one interpreter lock for all).
- "serial": one region after the other in this thread (the test suite: its transaction is
  only visible to its own connection).

CPU seconds include the worker processes (os.times() counts waited-for children).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from typing import Any

MODES = ("processes", "threads", "serial")


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _child(region_pk: int, barrier: Any, results: Any) -> None:
    from django.db import connection

    from identities.sync.run import sync_region
    from regions import ses
    from regions.models import Region

    try:
        region = Region.objects.select_related("account").get(pk=region_pk)
        ses.client_for(region.account, region.code)  # built before the clock starts
    except BaseException as exc:
        barrier.abort()
        results.put((region_pk, None, f"setup: {exc!r}"))
        return
    try:
        barrier.wait()
        run = sync_region(region, trigger="benchmark")
        results.put((region_pk, run.pk, None))
    except BaseException as exc:
        results.put((region_pk, None, repr(exc)))
    finally:
        connection.close()


def _processes(regions: list[Any]) -> tuple[float, list[Any]]:
    from django.db import connections

    from regions import ses
    from regions.models import SyncRun

    # Nothing shared across fork: each child opens its own connection and HTTP pools.
    connections.close_all()
    ses.clear_client_cache()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(regions) + 1, timeout=300)
    results = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(r.pk, barrier, results)) for r in regions]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.monotonic()
    answers = [results.get(timeout=3600) for _ in procs]
    wall = time.monotonic() - started
    for p in procs:
        p.join(timeout=60)
    errors = [e for _, _, e in answers if e]
    if errors:
        raise RuntimeError(f"{len(errors)} region syncs failed: {errors[0]}")
    by_region = {region_pk: run_pk for region_pk, run_pk, _ in answers}
    runs = SyncRun.objects.in_bulk([by_region[r.pk] for r in regions])
    return wall, [runs[by_region[r.pk]] for r in regions]


def _threads(regions: list[Any], parallel: bool) -> tuple[float, list[Any]]:
    from django.db import connection

    from identities.sync.run import sync_region

    runs: list[Any] = [None] * len(regions)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            runs[i] = sync_region(regions[i], trigger="benchmark")
        except BaseException as exc:
            errors.append(exc)
        finally:
            if parallel:
                connection.close()  # each thread has its own connection

    started = time.monotonic()
    if parallel:
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(regions))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i in range(len(regions)):
            one(i)
    wall = time.monotonic() - started
    if errors:
        raise RuntimeError(f"{len(errors)} region syncs raised: {errors[0]!r}") from errors[0]
    return wall, runs


def sync_all(regions: list[Any], mode: str = "processes") -> tuple[float, list[Any]]:
    """Sync every region at once; (wall seconds from the common start, their SyncRuns)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if mode == "processes":
        return _processes(regions)
    return _threads(regions, parallel=mode == "threads")
