"""The per account-region limiter holds across processes (file lock) and machines (Redis)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from regions import ratelimit
from regions.ratelimit import FileRateLimiter, RedisRateLimiter

ROOT = Path(__file__).resolve().parents[2]


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed for this test and is not reachable at {url}: {exc}")
    return url


def test_reservations_are_spaced_one_interval_apart(tmp_path):
    limiter = FileRateLimiter("acct:us-east-1", 10.0, directory=tmp_path)

    waits = [limiter.reserve() for _ in range(3)]

    assert waits[0] == pytest.approx(0.0, abs=0.02)
    assert waits[1] == pytest.approx(0.1, abs=0.02)
    assert waits[2] == pytest.approx(0.2, abs=0.02)


def test_keys_do_not_share_a_budget(tmp_path):
    one = FileRateLimiter("acct:us-east-1", 1.0, directory=tmp_path)
    other = FileRateLimiter("acct:eu-west-1", 1.0, directory=tmp_path)

    one.reserve()

    assert other.reserve() == pytest.approx(0.0, abs=0.02)


def test_rate_zero_never_waits(tmp_path):
    slept: list[float] = []
    limiter = FileRateLimiter("k", 0.0, directory=tmp_path, sleep=slept.append)

    assert [limiter.acquire() for _ in range(5)] == [0.0] * 5
    assert slept == []
    assert not list(tmp_path.iterdir())


_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from regions.ratelimit import {cls}
    kind, target, key = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = {{"directory": Path(target)}} if kind == "file" else {{"url": target}}
    limiter = {cls}(key, 10.0, **extra)
    for _ in range(4):
        wait = limiter.reserve()
        print(time.time() + wait, flush=True)  # the slot this process was given
        time.sleep(max(wait, 0))
    """
)


def _run_workers(kind: str, target: str, count: int = 3) -> list[float]:
    cls = "FileRateLimiter" if kind == "file" else "RedisRateLimiter"
    key = f"test-{uuid.uuid4().hex}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER.format(cls=cls), kind, target, key],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    stamps: list[float] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        stamps += [float(line) for line in out.split()]
    return sorted(stamps)


def _assert_paced(stamps: list[float], interval: float) -> None:
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    # 12 calls from 3 processes at 10/s: never two in the same slot (slack for a busy machine).
    assert min(gaps) > interval * 0.5, gaps
    assert stamps[-1] - stamps[0] >= interval * (len(stamps) - 1) * 0.9


def test_the_file_limiter_paces_several_processes_together(tmp_path):
    _assert_paced(_run_workers("file", str(tmp_path)), 0.1)


def test_the_redis_limiter_paces_several_processes_together():
    _assert_paced(_run_workers("redis", _redis_url()), 0.1)


def test_the_redis_limiter_reserves_in_order():
    limiter = RedisRateLimiter(f"test-{uuid.uuid4().hex}", 5.0, url=_redis_url())

    waits = [limiter.reserve() for _ in range(3)]

    assert waits[0] == pytest.approx(0.0, abs=0.05)
    assert waits[2] == pytest.approx(0.4, abs=0.05)


def test_limiter_for_uses_redis_when_configured(settings, tmp_path):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    assert isinstance(ratelimit.limiter_for("acct", "us-east-1"), RedisRateLimiter)

    settings.REDIS_URL = ""
    settings.DATA_DIR = tmp_path
    limiter = ratelimit.limiter_for("acct", "us-east-1", rate=2.0)
    assert isinstance(limiter, FileRateLimiter)
    assert limiter.interval == pytest.approx(0.51)  # 1/rate plus the 2% margin


def test_acquire_sleeps_for_its_slot(tmp_path):
    slept: list[float] = []
    limiter = FileRateLimiter("k", 4.0, directory=tmp_path, sleep=slept.append)

    limiter.acquire()
    limiter.acquire()

    assert len(slept) == 1
    assert slept[0] == pytest.approx(0.25, abs=0.03)


def test_a_late_caller_keeps_the_next_one_a_full_interval_behind(tmp_path):
    limiter = FileRateLimiter("k", 10.0, directory=tmp_path)
    limiter.reserve()  # slot at t0; the next at t0 + 0.1
    time.sleep(0.15)  # this caller started late, at t0 + 0.15

    limiter.mark()

    assert limiter.reserve() == pytest.approx(0.1, abs=0.03)  # not 0: one interval after us


def test_redis_mark_pushes_the_next_slot():
    limiter = RedisRateLimiter(f"test-{uuid.uuid4().hex}", 10.0, url=_redis_url())
    limiter.reserve()
    time.sleep(0.15)

    limiter.mark()

    assert limiter.reserve() == pytest.approx(0.1, abs=0.03)


class _Clock:
    """A monotonic clock that a fake sleep moves by the time slept plus `late`."""

    def __init__(self, late: float) -> None:
        self.now, self.late, self.slept = 1000.0, late, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds + self.late


class _CountingLimiter(FileRateLimiter):
    marks = 0

    def mark(self) -> None:
        self.marks += 1
        super().mark()


@pytest.mark.parametrize(("late", "marks"), [(0.0, 0), (0.015, 0), (0.05, 1)])
def test_only_a_caller_waking_later_than_the_margin_moves_the_next_slot(tmp_path, late, marks):
    clock = _Clock(late)
    limiter = _CountingLimiter("k", 1.0, directory=tmp_path, sleep=clock.sleep, clock=clock)
    assert limiter.margin == pytest.approx(0.02)

    limiter.acquire()  # the first call does not wait
    limiter.acquire()  # the second sleeps for its slot, and wakes `late` after it

    assert len(clock.slept) == 1
    assert limiter.marks == marks
