"""Alerts through the real thing: PostgreSQL, Redis, `celery worker` and `celery beat`
processes, and a local HTTP receiver that verifies the signature and de-duplicates by the
idempotency key.

1. A change committed with its outbox row is delivered by a worker, signed.
2. A worker killed mid-delivery (the receiver holds its answer; the worker is SIGKILLed)
   loses nothing: when its lease runs out the sweep hands the row to a new worker, which
   sends it again under the same key; the receiver keeps exactly one copy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from alerts.evaluate import evaluate_region
from alerts.models import Delivery
from emulator.webhook_sink import run_sink
from regions.models import AwsAccount
from regions.services import DEFAULT_ACCOUNT_LABEL
from tests.factories import ChannelFactory, RegionFactory, RuleFactory
from tests.integration.test_celery_sync import ROOT, _require_components, _wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SECRET = "whsec_" + "aW50ZWdyYXRpb24tdGVzdC1zZWNyZXQ="
LEASE = 8


def _start(name: str, args: list[str], env: dict, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args, "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, log


@pytest.fixture
def processes():
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_a_worker_delivers_and_a_worker_killed_mid_send_loses_and_doubles_nothing(
    processes, tmp_path, settings
):
    from config.celery import app

    database_url, redis_url = _require_components()
    queue = f"sesops-alerts-it-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue  # this process enqueues on commit, to the test's queue
    AwsAccount.objects.create(label=DEFAULT_ACCOUNT_LABEL, is_active=False)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CELERY_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SESOPS_CELERY_QUEUE": queue,
        "SESOPS_DATA_DIR": str(tmp_path / "data"),
        "SESOPS_SYNC_INTERVAL": "86400",
        "SESOPS_DNS_INTERVAL": "86400",
        "SESOPS_ALERT_SWEEP_INTERVAL": "1",
        "SESOPS_ALERT_LEASE": str(LEASE),
        "SESOPS_ALERT_HTTP_TIMEOUT": "4",
        "PYTHONUNBUFFERED": "1",
    }
    worker_args = ["worker", "-c", "2", "--without-gossip", "--without-mingle",
                   "--without-heartbeat"]  # fmt: skip
    try:
        with run_sink(secret=SECRET) as sink:
            channel = ChannelFactory(target=sink.url, secret=SECRET)
            RuleFactory(channel=channel, kinds=["sending_paused"])
            region = RegionFactory(sending_enabled=False)
            worker, worker_log = _start(
                "worker1", [*worker_args, "-n", f"a1-{uuid.uuid4().hex[:6]}@%h"], env, tmp_path
            )
            processes.append(worker)
            beat, beat_log = _start("beat", ["beat", "-s", str(tmp_path / "beat")], env, tmp_path)
            processes.append(beat)
            logs = [worker_log, beat_log]

            # 1. The change and its outbox row commit together; a worker sends it.
            with transaction.atomic():
                (fired,) = evaluate_region(region)
            first = _wait_for(
                "the first alert at the receiver",
                lambda: sink.sink.snapshot()["unique"],
                timeout=60,
                logs=logs,
            )
            assert first[0]["body"]["alerts"][0]["text"] == fired.text
            assert all(r["valid"] for r in sink.sink.snapshot()["receipts"])

            # 2. The receiver holds its answer; the worker is killed while it waits.
            sink.sink.hold_seconds = LEASE + 5
            region.sending_enabled = True
            region.save(update_fields=["sending_enabled"])
            with transaction.atomic():
                evaluate_region(region)  # resolved: a second delivery
            resolved = Delivery.objects.latest("id")
            _wait_for(
                "the resolved alert to reach the receiver",
                lambda: len(sink.sink.snapshot()["receipts"]) >= 2,
                timeout=60,
                logs=logs,
            )
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            resolved.refresh_from_db()
            assert resolved.status == "sending"  # the dead worker never recorded an answer

            worker2, worker2_log = _start(
                "worker2", [*worker_args, "-n", f"a2-{uuid.uuid4().hex[:6]}@%h"], env, tmp_path
            )
            processes.append(worker2)
            logs.append(worker2_log)
            _wait_for(
                "the resolved alert to be sent again after the lease",
                lambda: Delivery.objects.filter(pk=resolved.pk, status="sent").exists(),
                timeout=LEASE + 60,
                logs=logs,
            )
            snapshot = sink.sink.snapshot()
    finally:
        app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE

    copies = [r for r in snapshot["receipts"] if r["id"] == str(resolved.key)]
    assert len(copies) == 2  # sent twice (the first answer was lost with the worker)...
    assert [c.get("duplicate") for c in copies] == [False, True]  # ...kept once
    assert [u["id"] for u in snapshot["unique"]].count(str(resolved.key)) == 1
    assert all(r["valid"] for r in snapshot["receipts"])
    resolved.refresh_from_db()
    assert resolved.attempts == 2
    states = [u["body"]["alerts"][0]["state"] for u in snapshot["unique"]]
    assert states == ["firing", "resolved"]
    connection.close()
