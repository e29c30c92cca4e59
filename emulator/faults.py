"""Rate limit, latency, down and denied regions: checked before an operation runs."""

from __future__ import annotations

import threading
import time

from emulator.errors import SesError
from emulator.state import Region, State

# Sending is not a control-plane call: SES's ~1 request/s limit does not apply to it.
UNLIMITED_OPERATIONS = {"SendEmail", "SendRawEmail"}


class TokenBucket:
    """`rps` tokens per second (real time, not the emulated clock), holding up to `burst`."""

    def __init__(self, rps: float, burst: float) -> None:
        self.rps, self.burst = rps, max(burst, 1.0)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self, n: float = 1.0) -> bool:
        """Take `n` tokens; a take larger than the burst goes through on a full bucket and
        leaves it in debt, so a message with more recipients than the rate still sends."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rps)
            self.stamp = now
            if self.tokens >= min(n, self.burst):
                self.tokens -= n
                return True
            return False


def rate_of(state: State, reg: Region) -> tuple[float | None, float]:
    if reg.rate_set:
        return reg.rps, reg.burst if reg.burst is not None else state.settings.burst
    burst = reg.burst if reg.burst is not None else state.settings.burst
    return state.settings.rps, burst


def allow(state: State, reg: Region, operation: str) -> bool:
    """Take a token from the (account, region) bucket; False means throttled."""
    if operation in UNLIMITED_OPERATIONS:
        return True
    rps, burst = rate_of(state, reg)
    if not rps:
        return True
    key = (reg.account_id, reg.name)
    with state.lock:
        bucket = state.buckets.get(key)
        if bucket is None or bucket.rps != rps or bucket.burst != max(burst, 1.0):
            bucket = state.buckets[key] = TokenBucket(rps, burst)
    return bucket.take()


def take_send_rate(state: State, reg: Region, recipients: int) -> bool:
    """SES's maximum send rate (the region's MaxSendRate, recipients per second, real
    time): False means SES would answer "Maximum sending rate exceeded"."""
    rate = float(reg.max_send_rate)
    if rate <= 0:
        return True
    key = (reg.account_id, reg.name, "send")
    with state.lock:
        bucket = state.buckets.get(key)
        if bucket is None or bucket.rps != rate:
            bucket = state.buckets[key] = TokenBucket(rate, rate)
    return bucket.take(float(recipients))


def check(state: State, reg: Region, operation: str) -> str | None:
    """Apply a region's faults. Returns "refuse" when the connection must be dropped;
    raises SesError for a 5xx, AccessDenied or throttling answer; None lets it through."""
    if reg.latency_ms:
        time.sleep(reg.latency_ms / 1000.0)
    if reg.down == "refuse":
        state.count(reg.account_id, reg.name, operation)
        return "refuse"
    if reg.down:
        state.count(reg.account_id, reg.name, operation)
        raise SesError("ServiceUnavailable", "Service Unavailable")
    if reg.denied:
        state.count(reg.account_id, reg.name, operation)
        raise SesError(
            "AccessDeniedException",
            f"User: arn:aws:iam::{reg.account_id}:user/emulator is not authorized to perform: "
            f"ses:{operation} on resource: arn:aws:ses:{reg.name}:{reg.account_id}:identity/*",
        )
    if not allow(state, reg, operation):
        state.count(reg.account_id, reg.name, operation, throttled=True)
        raise SesError("TooManyRequestsException", "Rate exceeded")
    state.count(reg.account_id, reg.name, operation)
    return None
