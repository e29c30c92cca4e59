"""One sync per region at a time (the lease); a redelivered task does nothing; the lease never
leaks, lapses when its worker dies, and fences the write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identities.sync import apply as sync_apply
from identities.sync import lease
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

    first = lease.claim(region)
    second = lease.claim(region)

    assert first is not None
    assert second is None
    lease.release(first)
    assert lease.claim(region) is not None


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
    mine = lease.claim(region, now=timezone.now() - timedelta(hours=2))  # long lapsed
    theirs = lease.claim(region)

    lease.release(mine)

    region.refresh_from_db()
    assert (region.sync_lease, region.sync_lock_until) == (theirs.token, theirs.until)


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_sync(ses_one_address):
    region = RegionFactory(sync_lock_until=timezone.now() - timedelta(seconds=1))
    dead = SyncRun.objects.create(region=region, status=SyncRun.Status.RUNNING, task_id="t0")

    sync.sync_region(region, trigger="test")

    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED
    assert "stopped before finishing" in dead.error
    assert dead.finished_at is not None


def test_a_lease_lasts_sesops_sync_lease_seconds_not_the_task_time_limit(settings):
    settings.SESOPS_SYNC_LEASE = 90
    region = RegionFactory()
    now = timezone.now()

    held = lease.claim(region, now=now)

    assert held.until == now + timedelta(seconds=90)
    region.refresh_from_db()
    assert (region.sync_lock_until, region.sync_lease) == (held.until, held.token)


def test_a_dead_workers_lease_lapses_and_the_region_is_synced_again(ses_one_address, settings):
    """The worker claimed the region, then died: nobody renews its lease."""
    settings.SESOPS_SYNC_LEASE = 90
    region = RegionFactory()
    started = timezone.now() - timedelta(seconds=91)  # the clock: it died 91 s ago
    lease.claim(region, now=started)
    SyncRun.objects.create(region=region, status=SyncRun.Status.RUNNING, started_at=started)

    assert lease.claim(region, now=started + timedelta(seconds=89)) is None  # still held

    run = sync.sync_region(region, trigger="beat")

    assert run.status == SyncRun.Status.PARTIAL  # synced (the fake has no GetAccount)
    assert run.identities == 1
    closed = SyncRun.objects.exclude(pk=run.pk).get(region=region)
    assert closed.status == SyncRun.Status.FAILED
    assert "lease lapsed" in closed.error


def test_the_keeper_renews_live_syncs_and_lets_an_overdue_one_lapse(settings):
    settings.SESOPS_SYNC_LEASE = 90
    live, overdue = RegionFactory(), RegionFactory()
    past = timezone.now() - timedelta(seconds=60)
    a, b = lease.claim(live, now=past), lease.claim(overdue, now=past)
    b.deadline = 0.0  # past SESOPS_TASK_SOFT_TIME_LIMIT
    keeper = lease.LeaseKeeper()
    keeper._leases = {a.token: a, b.token: b}  # held, without starting the thread

    assert keeper.renew_all() == 1

    assert Region.objects.get(pk=live.pk).sync_lock_until > timezone.now() + timedelta(seconds=80)
    assert Region.objects.get(pk=overdue.pk).sync_lock_until == past + timedelta(seconds=90)


def test_a_sync_whose_lease_was_taken_over_writes_nothing(ses_one_address, monkeypatch):
    region = RegionFactory()
    real_read = sync.read_region

    def slow_read(client, stored, budget=None):
        snap = real_read(client, stored, budget=budget)
        # Meanwhile this worker stalled, its lease lapsed and another sync took the region.
        Region.objects.filter(pk=region.pk).update(sync_lease="someone-else")
        return snap

    monkeypatch.setattr(sync, "read_region", slow_read)
    with pytest.raises(sync.LeaseLost):
        sync.sync_region(region, trigger="beat")

    run = SyncRun.objects.get(region=region)
    assert run.status == SyncRun.Status.FAILED
    assert "another sync took the region over" in run.error
    assert not region.regional_identities.exists()  # nothing written
    region.refresh_from_db()
    assert region.sync_lease == "someone-else"  # their lease is left alone
    assert region.last_sync_error == ""  # the region's state is theirs to report


def test_db_slots_bound_how_many_threads_hold_a_connection_at_once(settings):
    import threading
    import time

    settings.SESOPS_SYNC_DB_CONNECTIONS = 2
    inside, peak = 0, 0
    count = threading.Lock()

    def visit() -> None:
        nonlocal inside, peak
        with lease.db_slot():
            with count:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with count:
                inside -= 1

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert peak == 2


@pytest.mark.django_db(transaction=True)
def test_the_paced_ses_calls_hold_no_database_connection(ses_one_address, monkeypatch):
    from django.db import connection

    region = Region.objects.select_related("account").get(pk=RegionFactory().pk)
    real_read = sync.read_region
    seen = []

    def read(client, stored, budget=None):
        seen.append(connection.connection)  # None: no connection open in this thread
        snap = real_read(client, stored, budget=budget)
        seen.append(connection.connection)
        return snap

    monkeypatch.setattr(sync, "read_region", read)
    from regions.ses_types import IdentitySummary
    from tests.fake_ses import FakeClient

    # Not verified: the plan reads its stored row, in a visit between two calls.
    ses_one_address.identities.append(
        IdentitySummary("new@example.com", "EMAIL_ADDRESS", True, "PENDING")
    )
    at_calls, loaded = [], []
    real_call = FakeClient._call
    real_view = sync.stored_view

    def call(self, *args, **kwargs):
        at_calls.append(connection.connection)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(FakeClient, "_call", call)
    monkeypatch.setattr(sync, "stored_view", lambda *a: loaded.append(a) or real_view(*a))
    run = sync.sync_region(region, trigger="test")

    assert run.identities == 2
    assert seen == [None, None]
    assert [names for _, names in loaded] == [["new@example.com"]]
    # Not at any SES call either: the stored rows read after the listing closed theirs.
    assert len(at_calls) >= 4 and set(at_calls) == {None}
    assert connection.connection is None  # and none left open by the log line either
