"""Per account-region pacing of SES control-plane calls, shared by every process.

SES allows about one control-plane request per second per region and account, whoever
makes it: every worker, the `sync_ses` command and the web server's actions draw from one
budget. The limiter is a GCRA reservation: each caller atomically moves the key's
"theoretical arrival time" (TAT) one interval forward and sleeps until its own slot. No
polling, first come first served, and a caller that dies wastes at most one slot.
When a caller wakes up later than the interval's margin (a busy machine, the GIL), it
pushes the TAT to one interval after its real start, so the next caller does not follow it
too closely and get throttled.

- With `settings.REDIS_URL`: the TAT lives in Redis, moved by a Lua script using Redis's
  clock, so it holds across machines.
- Without Redis (the embedded SQLite setup, one machine): the TAT lives in a small file
  under DATA_DIR guarded by `fcntl.flock`, so the demo worker and a `manage.py` command
  share it.

`settings.SESOPS_SES_RATE` is requests per second; 0 turns pacing off.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

# KEYS[1] = TAT key; ARGV[1] = interval in microseconds. Returns microseconds to wait.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval),
           'PX', math.ceil((tat + interval - now) / 1000) + 1000)
return tat - now
"""
# "I am calling now": the next slot is at least one interval after this moment.
_MARK_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next_slot = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < next_slot then
  redis.call('SET', KEYS[1], string.format('%.0f', next_slot), 'PX',
             math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
"""


MARGIN = 0.02
MAX_MARGIN = 0.02


class RateLimiter:
    """Reserve-and-sleep limiter for one key. `acquire()` blocks until the caller may call."""

    def __init__(
        self,
        key: str,
        rate: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self.rate = rate
        self._sleep = sleep
        self._clock = clock

    @property
    def interval(self) -> float:
        """Seconds between two calls: 1/rate plus a small margin. SES counts requests on its
        own clock; spaced exactly 1/rate apart, network jitter lands about half of them a
        hair early and they are throttled (measured: a third of all calls at 1/s). The
        margin is 2% of the interval, at most 20 ms."""
        if self.rate <= 0:
            return 0.0
        base = 1.0 / self.rate
        return base + min(base * MARGIN, MAX_MARGIN)

    def reserve(self) -> float:
        """Take the next slot; return how many seconds to wait for it."""
        raise NotImplementedError

    def mark(self) -> None:
        """Record a call starting now: no slot earlier than one interval from now."""
        raise NotImplementedError

    @property
    def margin(self) -> float:
        """Seconds the interval holds beyond 1/rate."""
        return self.interval - 1.0 / self.rate if self.rate > 0 else 0.0

    def acquire(self) -> float:
        """Wait for the next slot; return the seconds waited.

        A caller that wakes up later than the margin after its slot moves the next slot to
        one interval after itself (`mark`), so the next caller does not follow it closer
        than 1/rate. Within the margin nothing needs moving (the next slot is still 1/rate
        or more away) and nothing is written: a busy worker's threads wake a few ms late on
        nearly every call, and each such push used to delay all the region's later calls,
        adding up over a sync, for one more round trip to Redis each time."""
        if self.rate <= 0:
            return 0.0
        wait = self.reserve()
        if wait > 0:
            slot = self._clock() + wait
            self._sleep(wait)
            if self._clock() - slot > self.margin:
                self.mark()
        return max(wait, 0.0)


class RedisRateLimiter(RateLimiter):
    _clients: dict[str, object] = {}
    _lock = threading.Lock()

    def __init__(self, key: str, rate: float, *, url: str, **kwargs) -> None:
        super().__init__(key, rate, **kwargs)
        self.url = url

    def _redis(self):
        import redis

        with self._lock:
            client = self._clients.get(self.url)
            if client is None:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=5, socket_timeout=10)
                self._clients[self.url] = client
            return client

    def reserve(self) -> float:
        client = self._redis()
        micros = int(self.interval * 1_000_000)
        waited = client.eval(_GCRA_LUA, 1, f"sesops:ses-rate:{self.key}", micros)
        return int(waited) / 1_000_000

    def mark(self) -> None:
        micros = int(self.interval * 1_000_000)
        self._redis().eval(_MARK_LUA, 1, f"sesops:ses-rate:{self.key}", micros)


class FileRateLimiter(RateLimiter):
    def __init__(self, key: str, rate: float, *, directory: Path, **kwargs) -> None:
        super().__init__(key, rate, **kwargs)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{safe}.tat"

    def _update(self, step: Callable[[float, float], tuple[float, float]]) -> float:
        """Under the file lock: (tat, now) -> (new tat, result)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.read(fd, 64).decode().strip()
            now = time.time()
            try:
                tat = float(raw) if raw else 0.0
            except ValueError:
                tat = 0.0
            new_tat, result = step(tat, now)
            if new_tat != tat:
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, repr(new_tat).encode())
            return result
        finally:
            os.close(fd)  # closing releases the flock

    def reserve(self) -> float:
        def step(tat: float, now: float) -> tuple[float, float]:
            slot = max(tat, now)
            return slot + self.interval, slot - now

        return self._update(step)

    def mark(self) -> None:
        self._update(lambda tat, now: (max(tat, now + self.interval), 0.0))


def limiter_key(account_key: str, region_code: str) -> str:
    return f"{account_key}:{region_code}"


def limiter_for(account_key: str, region_code: str, *, rate: float | None = None) -> RateLimiter:
    """The limiter shared by every process for one AWS account and region."""
    rate = settings.SESOPS_SES_RATE if rate is None else rate
    key = limiter_key(account_key, region_code)
    if settings.REDIS_URL:
        return RedisRateLimiter(key, rate, url=settings.REDIS_URL)
    return FileRateLimiter(key, rate, directory=Path(settings.DATA_DIR) / "ratelimit")
