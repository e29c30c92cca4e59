"""A killed worker does not hold its region: a real `celery worker` (threads pool) is
SIGKILLed in the middle of a sync; its lease lapses within SESOPS_SYNC_LEASE seconds and a
second worker syncs the region. Meanwhile "Sync now" says the sync is running, not queued."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from identities.sync import enqueue
from identities.tasks import sync_region_task
from regions.models import AwsAccount, Region, SyncRun
from regions.services import DEFAULT_ACCOUNT_LABEL
from tests.integration.test_celery_sync import ROOT, _require_components, _wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ACCOUNT_ID = "444444444444"
ACCESS_KEY = "AKIALEASETEST0000001"
LEASE = 6  # seconds: SESOPS_SYNC_LEASE of the workers


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[[dict, str], tuple[subprocess.Popen, Path]]]:
    procs: list[subprocess.Popen] = []

    def start(env: dict, name: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        args = ["worker", "--pool", "threads", "-c", "4", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        return proc, log

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _queue_sync(region: Region, queue: str) -> SyncRun:
    asked = enqueue.request_sync(region, trigger="it")
    assert asked.queued, asked.message
    sync_region_task.apply_async(
        args=[region.pk], kwargs={"trigger": "it", "run_id": asked.run.pk}, queue=queue
    )
    return asked.run


def test_a_killed_workers_region_is_synced_again_once_its_lease_lapses(start_worker, tmp_path):
    from emulator.testing import run_emulator

    _require_components()
    queue = f"sesops-lease-{uuid.uuid4().hex[:8]}"
    AwsAccount.objects.create(label=DEFAULT_ACCOUNT_LABEL, is_active=False)
    account = AwsAccount.objects.create(label="lease", account_id=ACCOUNT_ID)
    region = Region.objects.create(account=account, code="eu-west-1")
    scenario = {
        "zones": [{"origin": "example.com"}],
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "access_keys": [ACCESS_KEY],
                "regions": {
                    "eu-west-1": {
                        "production": True,
                        # Unverified addresses: one slow GetEmailIdentity each, so the sync
                        # is still running when its worker is killed.
                        "identities": [
                            {"name": f"user{i}@example.com", "status": "PENDING"} for i in range(30)
                        ],
                        "latency_ms": 400,
                    }
                },
            }
        ],
    }
    with run_emulator(scenario) as emu:
        env = worker_env(
            emu.url,
            tmp_path,
            queue,
            ACCESS_KEY,
            SESOPS_SYNC_LEASE=str(LEASE),
            SESOPS_SES_RATE="0",
            SESOPS_DB_POOL="4",  # the README's worker keeps its connections (psycopg's pool)
        )
        doomed, doomed_log = start_worker(env, "doomed")
        first = _queue_sync(region, queue)
        _wait_for(
            "the first worker's sync to be running",
            lambda: (
                SyncRun.objects.filter(pk=first.pk, status=SyncRun.Status.RUNNING).exists()
                and emu.app.state.stats_json()["total"] >= 4
            ),
            timeout=60,
            logs=[doomed_log],
        )

        os.killpg(doomed.pid, signal.SIGKILL)  # no cleanup, no release: as an OOM kill
        doomed.wait(timeout=10)
        killed_at = timezone.now()

        # Its lease is still held for a moment: "Sync now" says running, queues nothing.
        region.refresh_from_db()
        assert region.sync_lock_until is not None and region.sync_lock_until > killed_at
        busy = enqueue.request_sync(region, trigger="it")
        assert not busy.queued and "already running" in busy.message

        _, rescuer_log = start_worker(env, "rescuer")
        second = _wait_for(
            "the lease to lapse so that the region can be queued again",
            lambda: (asked := enqueue.request_sync(region, trigger="it")).queued and asked.run,
            timeout=LEASE + 10,
            logs=[doomed_log],
        )
        sync_region_task.apply_async(
            args=[region.pk], kwargs={"trigger": "it", "run_id": second.pk}, queue=queue
        )
        done = _wait_for(
            "the second worker to sync the region",
            lambda: SyncRun.objects.filter(pk=second.pk, status=SyncRun.Status.SUCCEEDED).first(),
            timeout=90,
            logs=[rescuer_log],
        )

    first.refresh_from_db()
    assert first.status == SyncRun.Status.FAILED
    assert "lease lapsed" in first.error
    assert (done.started_at - killed_at).total_seconds() <= LEASE + 5
    assert done.identities == 30
    region.refresh_from_db()
    assert region.sync_lock_until is None and region.sync_lease == ""
    connection.close()
