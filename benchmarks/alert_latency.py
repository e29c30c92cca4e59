"""Alert latency: from SES changing (in the emulator) to the signed webhook arriving.

    python -m benchmarks.alert_latency [--interval 60] [--changes 4] [--quick]

A real deployment on loopback: the SES emulator, PostgreSQL, Redis, `celery worker` and
`celery beat` (syncing every `--interval` seconds, the demo's 60 by default), and a local
webhook receiver that verifies each signature. After the first sync, an address's
verification is flipped in the emulator (SUCCESS -> FAILED -> SUCCESS ...) at random points
of the sync cycle; each flip must reach the receiver as an alert (firing, then resolved).
Printed: each latency, the worst and the mean, against the target of one sync interval +
5 s (the sync that sees the change may start up to one interval after it).

Database: SESOPS_BENCH_DATABASE_URL (default .../sesops_bench_alerts), wiped; Redis:
SESOPS_BENCH_REDIS_URL (default redis://127.0.0.1:6379/12), on a queue of its own.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import REPO, bench_environ

ACCOUNT_ID, ACCESS_KEY = "444444444444", "AKIAALERTBENCH000001"
REGION = "eu-west-1"
ADDRESS = "billing@shop.example"


def scenario() -> dict:
    identities = [{"name": f"user{i}@shop.example", "status": "SUCCESS"} for i in range(50)]
    identities.append({"name": ADDRESS, "status": "SUCCESS"})
    return {
        "rate_limit": {"rps": 0},
        "zones": [{"origin": "shop.example"}],
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "label": "bench",
                "access_keys": [ACCESS_KEY],
                "regions": {REGION: {"production": True, "identities": identities}},
            }
        ],
    }


def _wait(what: str, check, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what}")


def run(interval: int, changes: int) -> list[float]:
    from django.core.management import call_command

    from alerts.models import Channel, Rule
    from emulator.testing import run_emulator
    from emulator.webhook_sink import run_sink
    from regions.models import AwsAccount, Region, SyncRun
    from regions.services import DEFAULT_ACCOUNT_LABEL

    call_command("flush", interactive=False, verbosity=0)
    AwsAccount.objects.create(label=DEFAULT_ACCOUNT_LABEL, is_active=False)
    account = AwsAccount.objects.create(label="bench", account_id=ACCOUNT_ID)
    region = Region.objects.create(account=account, code=REGION)
    secret = "whsec_" + "YWxlcnQtbGF0ZW5jeS1iZW5jaC1zZWNyZXQ="
    redis_url = os.environ.get("SESOPS_BENCH_REDIS_URL") or "redis://127.0.0.1:6379/12"
    latencies: list[float] = []
    procs: list[subprocess.Popen] = []
    with (
        run_emulator(scenario()) as emu,
        run_sink(secret=secret) as sink,
        tempfile.TemporaryDirectory() as tmp,
    ):
        channel = Channel.objects.create(
            name="bench", type="webhook", target=sink.url, secret=secret
        )
        Rule.objects.create(channel=channel, kinds=["verification_failed"], min_severity="info")
        env = {
            **{k: v for k, v in bench_environ().items() if not k.startswith("AWS_")},
            "REDIS_URL": redis_url,
            "SESOPS_CELERY_QUEUE": f"alert-bench-{uuid.uuid4().hex[:8]}",
            "SESOPS_DATA_DIR": tmp,
            "SESOPS_SYNC_INTERVAL": str(interval),
            "SESOPS_DNS_INTERVAL": "86400",
            "SESOPS_SES_RATE": "0",
            "AWS_ENDPOINT_URL": emu.url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_CONFIG_FILE": str(Path(tmp) / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(Path(tmp) / "none"),
        }
        try:
            for args in (
                ["worker", "-c", "2", "--without-gossip", "--without-mingle"],
                ["beat", "-s", str(Path(tmp) / "beat")],
            ):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "celery", "-A", "config", *args, "-l", "WARNING"],
                        cwd=REPO,
                        env=env,
                        start_new_session=True,
                        stdout=open(Path(tmp) / f"{args[0]}.log", "w"),  # noqa: SIM115
                        stderr=subprocess.STDOUT,
                    )
                )
            _wait(
                "the first sync",
                lambda: SyncRun.objects.filter(region=region, status="succeeded").exists(),
                interval + 60,
            )
            status = "SUCCESS"
            for n in range(changes):
                # A random point of the sync cycle: the mean shows the typical wait.
                time.sleep(random.uniform(0, interval))
                status = "FAILED" if status == "SUCCESS" else "SUCCESS"
                seen = len(sink.sink.snapshot()["unique"])
                emu.control(
                    "POST",
                    f"identities/{ACCOUNT_ID}/{REGION}/{ADDRESS}",
                    {"verification_status": status},
                )
                changed = time.monotonic()
                arrived = _wait(
                    f"alert {n + 1}",
                    lambda s=seen: len(sink.sink.snapshot()["unique"]) > s,
                    3 * interval + 60,
                )
                latencies.append(arrived - changed)
                state = sink.sink.snapshot()["unique"][-1]["body"]["alerts"][0]["state"]
                print(
                    f"  change {n + 1}: {status:<7} -> {state:<8} alert after "
                    f"{latencies[-1]:6.1f} s",
                    flush=True,
                )
            assert all(r["valid"] for r in sink.sink.snapshot()["receipts"])
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=30)
    return latencies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alert_latency")
    parser.add_argument("--interval", type=int, default=60, help="sync interval, s (demo: 60)")
    parser.add_argument("--changes", type=int, default=4, help="SES changes to time (4)")
    parser.add_argument("--quick", action="store_true", help="15 s interval, 2 changes")
    args = parser.parse_args(argv)
    interval, changes = (15, 2) if args.quick else (args.interval, args.changes)
    from benchmarks import configure

    os.environ.setdefault(
        "SESOPS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sesops_bench_alerts"
    )
    configure()
    print(f"alert latency: SES change -> signed webhook, sync every {interval} s")
    latencies = run(interval, changes)
    target = interval + 5
    worst, mean = max(latencies), sum(latencies) / len(latencies)
    verdict = "ok" if worst <= target else "MISSED"
    print(
        f"worst {worst:.1f} s, mean {mean:.1f} s over {len(latencies)} changes; "
        f"target <= {target} s (one sync interval + 5 s): {verdict}"
    )


if __name__ == "__main__":
    main()
