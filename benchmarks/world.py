"""The SES world a sync benchmark runs against: a scenario of R regions x N identities,
an emulator process serving it, and the emulator's request counts.

The identity mix is deterministic (index-based) and stable over the run, so a second
sync sees "nothing changed":
- every 10th identity is a domain `idNNNNN.bench.test`; the others are addresses
  `idNNNNN@example.com` (example.com itself is not an identity). Sorted by name they
  interleave, so the grid's first page holds the same mix at every N;
- domains: DKIM published (-> SUCCESS) except 1 in 20 pending (nothing published, inside
  SES's 72 h window) and 1 in 20 failed; every other domain has a custom MAIL FROM with
  its MX published;
- addresses: verified, except 1 in 50 pending (its link unclicked, inside the 24 h expiry)
  and 1 in 50 failed;
- VDM is enabled in every region, and its Advisor holds one open HIGH-impact DKIM
  recommendation for each pending or failed domain (1 in 10 domains).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks import REPO

ACCOUNT_ID = "000000000000"  # the emulator's account for unknown access keys
ZONE = "bench.test"
# Real SES regions (botocore's list), in a fixed order so `--regions 3` is reproducible.
SES_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "sa-east-1", "me-south-1", "af-south-1", "il-central-1", "eu-central-2", "ap-south-2",
    "ca-west-1", "ap-southeast-3", "me-central-1",
]  # fmt: skip


def regions(count: int) -> list[str]:
    if not 1 <= count <= len(SES_REGIONS):
        raise ValueError(f"regions must be between 1 and {len(SES_REGIONS)}")
    return SES_REGIONS[:count]


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # EMAIL_ADDRESS | DOMAIN
    status: str  # what SES will report once evaluated
    mail_from: bool = False


def identity_specs(n: int) -> list[Spec]:
    out: list[Spec] = []
    for i in range(n):
        if i % 10 == 0:
            k = i // 10
            status = {1: "PENDING", 2: "FAILED"}.get(k % 20, "SUCCESS")
            out.append(Spec(f"id{i:05d}.{ZONE}", "DOMAIN", status, mail_from=k % 2 == 0))
        else:
            status = {1: "PENDING", 3: "FAILED"}.get(i % 50, "SUCCESS")
            out.append(Spec(f"id{i:05d}@example.com", "EMAIL_ADDRESS", status))
    return out


def recommendation_specs(n: int) -> list[Spec]:
    """The domains SES's Advisor has an open (DKIM) recommendation about."""
    return [s for s in identity_specs(n) if s.kind == "DOMAIN" and s.status != "SUCCESS"]


def _vdm(n: int) -> dict[str, Any]:
    text = "DKIM is not set up: SES cannot find the domain's DKIM records."
    return {
        "enabled": True,
        "recommendations": [
            {"identity": s.name, "type": "DKIM", "impact": "HIGH", "description": text}
            for s in recommendation_specs(n)
        ],
    }


def _scenario_identity(spec: Spec, region: str) -> dict[str, Any]:
    if spec.kind == "EMAIL_ADDRESS":
        return {"name": spec.name, "status": spec.status}
    item: dict[str, Any] = {"name": spec.name}
    if spec.status == "SUCCESS":
        item["dkim"] = "published"
    else:
        item.update({"dkim": "missing", "status": spec.status})
    if spec.mail_from:
        # One MX can name one region's feedback host: a MAIL FROM domain per region.
        item["mail_from"] = {"domain": f"mail-{region}.{spec.name}", "published": True}
    return item


def scenario(region_codes: list[str], n: int, rps: float, burst: float) -> dict[str, Any]:
    """An emulator scenario: every region holds the same N identities, production access."""
    specs = identity_specs(n)
    return {
        "rate_limit": {"rps": rps, "burst": burst},
        "zones": [{"origin": ZONE, "nameservers": {f"ns1.{ZONE}": "127.0.0.1"}}],
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "label": "bench",
                "regions": {
                    code: {
                        "production": True,
                        "vdm": _vdm(n),
                        "identities": [_scenario_identity(s, code) for s in specs],
                    }
                    for code in region_codes
                },
            }
        ],
    }


# -- the floor ------------------------------------------------------------------------
FLOOR_FORMULA = (
    "first sync, per region: 1 GetAccount + 1 ListMultiRegionEndpoints (the global endpoints"
    " whose primary region it is: SES lists them only there; ceil(E/1000), at least 1)"
    " + ceil(N/1000) ListEmailIdentities"
    " + ceil(D/100) GetIdentityVerificationAttributes (the domains' _amazonses token: only v1"
    " has it) + ceil((N-G)/100) GetIdentityMailFromDomainAttributes (MAIL FROM of those not"
    " read in full) + G GetEmailIdentity, G = the domains and the identities listed not SUCCESS"
    " (domains: DKIM origin + signing zone decide their DNS records; the unhealthy: for"
    " VerificationInfo). Re-sync with nothing changed: 1 + 1 + ceil(N/1000) + ceil(D/100)"
    " GetIdentityDkimAttributes (domains' DKIM change) + ceil(N/100) MAIL FROM batches."
    " Both add, where GetAccount says VDM is enabled, max(1, ceil(R/100)) ListRecommendations"
    " (R open recommendations; PageSize 100 is the model's largest)."
)


@dataclass(frozen=True)
class Floor:
    first: int
    resync: int


def floor_per_region(n: int) -> Floor:
    """The fewest calls that return the same information for one region (see FLOOR_FORMULA).
    Emails carry no DKIM of their own (they sign with their domain's), so the DKIM batch
    covers domains only; the listing already gives every status and SendingEnabled."""
    specs = identity_specs(n)
    domains = sum(1 for s in specs if s.kind == "DOMAIN")
    full = sum(1 for s in specs if s.kind == "DOMAIN" or s.status != "SUCCESS")
    lists = max(1, math.ceil(n / 1000))
    endpoints = 1  # ListMultiRegionEndpoints: the bench world has no global endpoint
    advice = max(1, math.ceil(len(recommendation_specs(n)) / 100))  # VDM is on in the world
    fixed = 1 + endpoints + advice + lists  # GetAccount, endpoints, advice, listing
    first = fixed + math.ceil(domains / 100) + math.ceil((n - full) / 100) + full
    resync = fixed + math.ceil(domains / 100) + math.ceil(n / 100)
    return Floor(first, resync)


# -- emulator stats -------------------------------------------------------------------
@dataclass
class Stats:
    total: int = 0
    throttled: int = 0
    by_region: dict[str, int] = field(default_factory=dict)
    accepted_by_region: dict[str, int] = field(default_factory=dict)
    by_operation: dict[str, int] = field(default_factory=dict)


def read_stats(emu: Any) -> Stats:
    raw = emu.control("GET", "/_emulator/stats")
    st = Stats(total=int(raw["total"]), throttled=int(raw["throttled_total"]))
    by_region: dict[str, int] = defaultdict(int)
    accepted: dict[str, int] = defaultdict(int)
    by_op: dict[str, int] = defaultdict(int)
    for row in raw["counts"]:
        by_region[row["region"]] += row["count"]
        accepted[row["region"]] += row["count"] - row.get("throttled", 0)
        by_op[row["operation"]] += row["count"]
    st.by_region, st.accepted_by_region = dict(by_region), dict(accepted)
    st.by_operation = dict(by_op)
    return st


def reset_stats(emu: Any) -> None:
    emu.control("POST", "/_emulator/stats/reset")


def set_rate(emu: Any, region_codes: list[str], rps: float, burst: float) -> None:
    for code in region_codes:
        path = f"/_emulator/regions/{ACCOUNT_ID}/{code}"
        emu.control("POST", path, {"rate_limit": {"rps": rps, "burst": burst}})


# -- an emulator in its own process (its own core: the sync's CPU is not shared with it) --
@dataclass
class EmulatorProcess:
    url: str
    proc: subprocess.Popen[bytes]

    def control(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(json_body).encode() if json_body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def emulator_process(data: dict[str, Any], timeout: float = 120.0) -> Iterator[EmulatorProcess]:
    """`python -m emulator` on a free port, loaded with `data`; stopped on exit."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(data, f)
        path = f.name
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--scenario", path],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    emu = EmulatorProcess(f"http://127.0.0.1:{port}", proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"the emulator exited with {proc.returncode}: {err}")
            try:
                emu.control("GET", "/_emulator/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start in time") from None
                time.sleep(0.2)
        yield emu
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.unlink(path)
