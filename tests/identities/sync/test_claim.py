"""One sync per region at a time; a redelivered task does nothing; the lock never leaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identities.sync import apply as sync_apply
from identities.sync import run as sync
from regions.models import Region, SyncRun
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_region_whose_lock_is_held(ses_one_address):
    region = RegionFactory(sync_lock_until=timezone.now() + timedelta(minutes=5))

    run = sync.sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.SKIPPED
    assert "another sync" in run.error
    assert ses_one_address.calls == []  # SES was never called
    assert SyncRun.objects.filter(region=region).count() == 1


def test_it_takes_over_an_expired_lock(ses_one_address):
    region = RegionFactory(sync_lock_until=timezone.now() - timedelta(seconds=1))

    run = sync.sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.PARTIAL  # no GetAccount on the fake
    assert run.identities == 1
    region.refresh_from_db()
    assert region.sync_lock_until is None


def test_claim_is_a_conditional_update_only_one_caller_wins(ses_one_address):
    region = RegionFactory()

    first = sync.claim(region)
    second = sync.claim(region)

    assert first is not None
    assert second is None
    sync.release(region, first)
    assert sync.claim(region) is not None


def test_a_redelivered_task_does_nothing(ses_one_address):
    region = RegionFactory()
    first = sync.sync_region(region, trigger="beat", task_id="task-1")

    again = sync.sync_region(region, trigger="beat", task_id="task-1")

    assert first.status == SyncRun.Status.PARTIAL
    assert again.status == SyncRun.Status.SKIPPED
    assert "already run" in again.error
    assert len(ses_one_address.ops("list_identities")) == 1  # only the first run read SES


def test_a_crash_fails_the_run_and_frees_the_lock(ses_one_address, monkeypatch):
    region = RegionFactory()

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(sync_apply, "apply_snapshot", explode)
    with pytest.raises(RuntimeError):
        sync.sync_region(region, trigger="test")

    run = SyncRun.objects.get(region=region)
    assert run.status == SyncRun.Status.FAILED
    assert "database went away" in run.error
    region.refresh_from_db()
    assert region.sync_lock_until is None
    assert "database went away" in region.last_sync_error


def test_release_leaves_someone_elses_claim_alone(ses_one_address):
    region = RegionFactory()
    mine = sync.claim(region, now=timezone.now() - timedelta(hours=2))  # long expired
    theirs = sync.claim(region)

    sync.release(region, mine)

    assert Region.objects.get(pk=region.pk).sync_lock_until == theirs


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_sync(ses_one_address):
    region = RegionFactory(sync_lock_until=timezone.now() - timedelta(seconds=1))
    dead = SyncRun.objects.create(region=region, status=SyncRun.Status.RUNNING, task_id="t0")

    sync.sync_region(region, trigger="test")

    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED
    assert "stopped before finishing" in dead.error
    assert dead.finished_at is not None
