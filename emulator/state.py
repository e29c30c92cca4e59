"""The emulator's in-memory SES world: accounts, regions, identities, mail, stats.

Everything is guarded by one re-entrant lock (`State.lock`): requests are short, and one
lock keeps the lifecycle rules free of races. Identity status is not stored as truth: it
is re-evaluated lazily on each read (lifecycle.py) against the DNS zones and the clock.
"""

from __future__ import annotations

import base64
import bisect
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from emulator.zones import ZoneStore

DEFAULT_ACCOUNT = "000000000000"
SANDBOX_QUOTA = (200.0, 1.0)
PRODUCTION_QUOTA = (50000.0, 14.0)


def random_token() -> str:
    """A DKIM token: SES's look lower-case base32 (a-z, 2-7), 32 characters."""
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


class Clock:
    """Real time plus an offset that the control API can advance ("jump 72 hours")."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += float(seconds)
        return self.now()


@dataclass
class Settings:
    verification_timeout_seconds: float = 72 * 3600.0
    review_delay_seconds: float = 60.0
    link_expiry_seconds: float = 24 * 3600.0
    rps: float | None = 1.0  # control-plane requests per second; None/0 = unlimited
    burst: float = 1.0
    review_outcome: str = "GRANTED"
    signing_hosted_zones: dict[str, str] = field(default_factory=dict)
    endpoint_ready_seconds: float = 0.0  # a new global endpoint is CREATING this long

    def hosted_zone(self, region: str) -> str:
        return self.signing_hosted_zones.get(region, "dkim.amazonses.com")


@dataclass
class Lifecycle:
    """One verification state machine (domain, DKIM or MAIL FROM)."""

    status: str = "PENDING"
    window_start: float = 0.0  # start of the current 72 h search window
    last_checked: float | None = None
    last_success: float | None = None
    error_type: str | None = None
    pinned: bool = False  # forced from the control API: not re-evaluated
    soa_serial: int | None = None  # the zone's SOA serial at the last check (SOARecord)

    def restart(self, now: float) -> None:
        self.status, self.window_start, self.error_type, self.pinned = "PENDING", now, None, False


@dataclass
class Identity:
    name: str
    kind: str  # EMAIL_ADDRESS | DOMAIN
    created_at: float
    verification: Lifecycle
    dkim: Lifecycle
    verification_token: str = ""  # legacy _amazonses TXT value
    dkim_origin: str = "AWS_SES"  # AWS_SES | EXTERNAL | AWS_SES_<REGION>
    tokens: list[str] = field(default_factory=list)
    selector: str | None = None
    public_key: str | None = None  # BYODKIM: base64 SubjectPublicKeyInfo
    signing_enabled: bool = True
    key_length: str = "RSA_2048_BIT"
    key_generated_at: float = 0.0
    mail_from_domain: str | None = None
    behavior_on_mx_failure: str = "USE_DEFAULT_VALUE"
    mail_from: Lifecycle = field(default_factory=Lifecycle)
    sending_enabled: bool = True
    feedback_forwarding: bool = True
    tags: list[dict[str, str]] = field(default_factory=list)
    configuration_set: str | None = None

    @property
    def domain(self) -> str:
        return self.name.rsplit("@", 1)[-1]


@dataclass
class Region:
    account_id: str
    name: str
    production: bool = False
    sending_enabled: bool = True
    enforcement_status: str = "HEALTHY"
    max_24h: float = SANDBOX_QUOTA[0]
    max_send_rate: float = SANDBOX_QUOTA[1]
    sent_base: float = 0.0  # SentLast24Hours seeded by a scenario
    sent: deque[tuple[float, int]] = field(default_factory=deque)
    details: dict[str, Any] | None = None
    review: dict[str, Any] | None = None  # {"status", "case_id", "requested_at"}
    review_outcome: str | None = None
    review_delay_seconds: float | None = None
    down: str | None = None  # None | "5xx" | "refuse"
    denied: bool = False
    latency_ms: float = 0.0
    rps: float | None = None  # None: the global setting
    burst: float | None = None
    rate_set: bool = False  # True when rps was given for this region (even null)
    signing_hosted_zone: str | None = None
    # VDM (emulator/vdm.py): VdmAttributes as set (None: never set) and the Advisor's list.
    vdm: dict[str, Any] | None = None
    recommendations: list[Any] = field(default_factory=list)
    identities: dict[str, Identity] = field(default_factory=dict)
    # Sorted names, so listing pages cost O(log n + page), not O(n).
    sorted_names: list[str] = field(default_factory=list)
    # Global endpoints whose primary region this is, by name (emulator/endpoints.py).
    endpoints: dict[str, Any] = field(default_factory=dict)

    def add_identity(self, ident: Identity) -> None:
        self.identities[ident.name] = ident
        bisect.insort(self.sorted_names, ident.name)

    def remove_identity(self, name: str) -> None:
        del self.identities[name]
        i = bisect.bisect_left(self.sorted_names, name)
        if i < len(self.sorted_names) and self.sorted_names[i] == name:
            self.sorted_names.pop(i)

    def page(
        self, after: str | None, size: int, kind: str | None = None
    ) -> tuple[list[Identity], str | None]:
        """Up to `size` identities after name `after`, and the name to continue after."""
        start = bisect.bisect_right(self.sorted_names, after) if after else 0
        out: list[Identity] = []
        i = start
        while i < len(self.sorted_names) and len(out) < size:
            ident = self.identities[self.sorted_names[i]]
            if kind is None or ident.kind == kind:
                out.append(ident)
            i += 1
        # With a type filter the last page can come back empty; SES's own pagers allow it.
        more = i < len(self.sorted_names)
        return out, (out[-1].name if out and more else None)

    def sent_last_24h(self, now: float) -> float:
        while self.sent and self.sent[0][0] < now - 86400:
            self.sent.popleft()
        return self.sent_base + sum(n for _, n in self.sent)


@dataclass
class Account:
    id: str
    label: str = ""
    regions: dict[str, Region] = field(default_factory=dict)


class State:
    def __init__(self, store: ZoneStore | None = None) -> None:
        self.lock = threading.RLock()
        self.store = store if store is not None else ZoneStore()
        self.clock = Clock()
        self.base_url = "http://127.0.0.1"
        self.clear()

    def clear(self) -> None:
        """Forget accounts, mail and stats (not the zones, not the clock)."""
        with self.lock:
            self.settings = Settings()
            self.accounts: dict[str, Account] = {}
            self.access_keys: dict[str, str] = {}
            self.mail: list[dict[str, Any]] = []
            self.links: dict[str, dict[str, Any]] = {}  # verification token -> link info
            self.stats: Counter[tuple[str, str, str]] = Counter()
            self.throttled: Counter[tuple[str, str, str]] = Counter()
            self.buckets: dict[tuple[str, ...], Any] = {}

    def now(self) -> float:
        return self.clock.now()

    def account_for_key(self, access_key: str | None) -> str:
        return self.access_keys.get(access_key or "", DEFAULT_ACCOUNT)

    def account(self, account_id: str) -> Account:
        with self.lock:
            acct = self.accounts.get(account_id)
            if acct is None:
                acct = self.accounts[account_id] = Account(account_id)
            return acct

    def region(self, account_id: str, region: str) -> Region:
        """The region's state, created with sandbox defaults on first use (as SES has it)."""
        with self.lock:
            acct = self.account(account_id)
            reg = acct.regions.get(region)
            if reg is None:
                reg = acct.regions[region] = Region(account_id, region)
            return reg

    def hosted_zone(self, reg: Region) -> str:
        return reg.signing_hosted_zone or self.settings.hosted_zone(reg.name)

    def count(self, account_id: str, region: str, operation: str, throttled: bool = False) -> None:
        with self.lock:
            self.stats[(account_id, region, operation)] += 1
            if throttled:
                self.throttled[(account_id, region, operation)] += 1

    def stats_json(self) -> dict[str, Any]:
        with self.lock:
            rows = [
                {
                    "account": a,
                    "region": r,
                    "operation": op,
                    "count": n,
                    "throttled": self.throttled.get((a, r, op), 0),
                }
                for (a, r, op), n in sorted(self.stats.items())
            ]
            return {
                "total": sum(self.stats.values()),
                "throttled_total": sum(self.throttled.values()),
                "counts": rows,
            }

    def reset_stats(self) -> None:
        with self.lock:
            self.stats.clear()
            self.throttled.clear()
