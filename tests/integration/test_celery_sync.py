"""The real thing: PostgreSQL, Redis, a `celery worker` and a `celery beat` process, and the
SES emulator with three regions. Beat's fan-out syncs the three regions in parallel; a
second sync of a region still running is refused by the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from identities.models import RegionalIdentity
from identities.tasks import sync_region_task
from regions.models import AwsAccount, Region, SyncRun
from regions.services import DEFAULT_ACCOUNT_LABEL

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "333333333333"
ACCESS_KEY = "AKIAINTEGRATION00001"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
SLOW_REGION = "eu-west-1"  # its calls take long enough to overlap a second sync


def _require_components() -> tuple[str, str]:
    """PostgreSQL and Redis are this test's subject: missing ones fail it, clearly."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.fail(
            "the integration test needs PostgreSQL: set DATABASE_URL=postgres://... "
            "(scripts/test.sh does)"
        )
    if not settings.REDIS_URL:
        pytest.fail(
            "the integration test needs Redis: set REDIS_URL=redis://... (scripts/test.sh does)"
        )
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {settings.REDIS_URL} is not reachable: {exc}")
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    # The worker must use the database pytest-django created (test_<name>).
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}", settings.REDIS_URL


def _scenario() -> dict:
    identities = [{"name": f"user{i}@example.com", "status": "SUCCESS"} for i in range(40)]
    regions = {
        code: {"production": True, "identities": identities, "rate_limit": {"rps": 5, "burst": 1}}
        for code in REGIONS
    }
    regions[SLOW_REGION]["latency_ms"] = 1500
    return {
        "zones": [{"origin": "example.com"}],
        "accounts": [
            {"id": ACCOUNT_ID, "label": "int", "access_keys": [ACCESS_KEY], "regions": regions}
        ],
    }


def _wait_for(what: str, check: Callable[[], object], timeout: float, logs: list[Path]) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tails}")


def worker_env(emu_url: str, tmp_path: Path, queue: str, access_key: str, **extra: str) -> dict:
    """The environment of a worker process: the test database and Redis, its own queue, and
    the emulator as SES (through boto3's own variables)."""
    database_url, redis_url = _require_components()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CELERY_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SESOPS_CELERY_QUEUE": queue,
        "SESOPS_DATA_DIR": str(tmp_path / "data"),
        "AWS_ENDPOINT_URL": emu_url,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@pytest.fixture
def celery_processes(tmp_path) -> Iterator[Callable[[dict], list[Path]]]:
    procs: list[subprocess.Popen] = []

    def start(env: dict) -> list[Path]:
        logs = []
        commands = {
            "worker": [
                "worker",
                "-c",
                "4",
                "-n",
                f"sync-it-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            "beat": ["beat", "-s", str(tmp_path / "beat-schedule")],
        }
        for name, args in commands.items():
            log = tmp_path / f"{name}.log"
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "config", *args, "-l", "INFO"],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return logs

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_beat_fans_out_parallel_region_syncs_and_the_lock_refuses_an_overlap(
    celery_processes, tmp_path
):
    from emulator.testing import run_emulator

    _require_components()
    queue = f"sesops-it-{uuid.uuid4().hex[:8]}"
    # The default account (boto3's default chain) stays out of this test.
    AwsAccount.objects.create(label=DEFAULT_ACCOUNT_LABEL, is_active=False)
    account = AwsAccount.objects.create(label="int", account_id=ACCOUNT_ID)
    regions = {code: Region.objects.create(account=account, code=code) for code in REGIONS}

    with run_emulator(_scenario()) as emu:
        env = worker_env(
            emu.url,
            tmp_path,
            queue,
            ACCESS_KEY,
            SESOPS_SYNC_INTERVAL="10",
            SESOPS_DNS_INTERVAL="86400",
            SESOPS_SES_RATE="4",  # under the emulator's 5/s, through the Redis limiter
        )
        logs = celery_processes(env)

        # Beat's first tick (10 s) fans out one task per region; the slow region is still
        # running when we deliver a second sync of it.
        running = _wait_for(
            f"a running sync of {SLOW_REGION}",
            lambda: SyncRun.objects.filter(
                region=regions[SLOW_REGION], status=SyncRun.Status.RUNNING
            ).first(),
            timeout=60,
            logs=logs,
        )
        sync_region_task.apply_async(
            args=[regions[SLOW_REGION].pk], kwargs={"trigger": "it"}, queue=queue
        )

        skipped = _wait_for(
            "the overlapping sync to be refused",
            lambda: SyncRun.objects.filter(trigger="it", status=SyncRun.Status.SKIPPED).first(),
            timeout=60,
            logs=logs,
        )
        runs = _wait_for(
            "the three region syncs to finish",
            lambda: (
                found
                if len(
                    found := list(
                        SyncRun.objects.filter(trigger="beat", status=SyncRun.Status.SUCCEEDED)
                        .order_by("started_at")
                        .select_related("region")
                    )
                )
                >= 3
                else None
            ),
            timeout=90,
            logs=logs,
        )

    first_three = {run.region.code: run for run in runs[:3]}
    assert set(first_three) == set(REGIONS)
    # In parallel: every run started before any of them finished.
    assert max(r.started_at for r in first_three.values()) < min(
        r.finished_at for r in first_three.values()
    )
    assert all(r.identities == 40 for r in first_three.values())
    assert "another sync of this region is running" in skipped.error
    assert skipped.region_id == running.region_id
    assert skipped.calls == 0
    assert RegionalIdentity.objects.filter(region__account=account).count() == 3 * 40
    connection.close()
