"""The Celery tasks' bodies (run directly, not eagerly) and enqueueing on commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from identities import tasks
from identities.sync import enqueue
from regions.models import AwsAccount, Region, SyncRun
from regions.services import DEFAULT_ACCOUNT_LABEL
from tests.factories import AwsAccountFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent: list[tuple[tuple, dict]] = []

    def apply_async(args=(), kwargs=None, **options):
        sent.append((tuple(args), dict(kwargs or {})))

    monkeypatch.setattr(tasks.sync_region_task, "apply_async", apply_async)
    monkeypatch.setattr(
        tasks.sync_region_task, "delay", lambda *a, **kw: apply_async(args=a, kwargs=kw)
    )
    return sent


def test_sync_all_regions_fans_out_one_task_per_active_visible_region(
    published, settings, django_capture_on_commit_callbacks
):
    settings.SESOPS_REGIONS = ["us-east-1", "eu-west-1"]
    visible = RegionFactory(code="ap-south-1")
    RegionFactory(account=visible.account, code="sa-east-1", hidden=True)
    RegionFactory(account=AwsAccountFactory(is_active=False), code="us-east-2")

    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.sync_all_regions.run()

    assert count == 1
    run = SyncRun.objects.get(region=visible, status=SyncRun.Status.QUEUED)
    assert published == [((visible.pk,), {"trigger": "beat", "run_id": run.pk})]


def test_sync_all_regions_does_not_queue_a_region_whose_sync_is_queued_or_running(
    published, django_capture_on_commit_callbacks
):
    queued, running, idle = RegionFactory(), RegionFactory(), RegionFactory()
    SyncRun.objects.create(region=queued, status=SyncRun.Status.QUEUED)
    SyncRun.objects.create(region=running, status=SyncRun.Status.RUNNING)
    Region.objects.filter(pk=running.pk).update(
        sync_lock_until=timezone.now() + timedelta(seconds=60)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_all_regions.run() == 1

    assert [args for args, _ in published] == [(idle.pk,)]


def test_sync_all_regions_on_an_empty_install_syncs_the_default_account(
    published, settings, django_capture_on_commit_callbacks
):
    settings.SESOPS_REGIONS = ["us-east-1", "eu-west-1"]

    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.sync_all_regions.run()

    default = AwsAccount.objects.get(label=DEFAULT_ACCOUNT_LABEL)
    expected = set(Region.objects.filter(account=default).values_list("pk", flat=True))
    assert count == 2
    assert {args[0] for args, _ in published} == expected
    assert all(kwargs["trigger"] == "beat" for _, kwargs in published)


def test_sync_region_task_syncs_the_region_under_the_task_id(ses_one_address):
    region = RegionFactory()

    tasks.sync_region_task.push_request(id="celery-task-7")
    try:
        status = tasks.sync_region_task.run(region.pk, trigger="beat")
        again = tasks.sync_region_task.run(region.pk, trigger="beat")  # redelivered
    finally:
        tasks.sync_region_task.pop_request()

    assert status == SyncRun.Status.PARTIAL
    assert again == SyncRun.Status.SKIPPED
    assert SyncRun.objects.filter(task_id="celery-task-7").count() == 2


def test_sync_region_task_ignores_a_deleted_region():
    assert tasks.sync_region_task.run(987654) == "gone"


@pytest.fixture
def outside_transaction(monkeypatch):
    """pytest-django wraps each test in a transaction; a view runs outside one."""
    monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)


def test_enqueue_region_sync_publishes_at_once_outside_a_transaction(
    published, outside_transaction
):
    region = RegionFactory()

    asked = tasks.enqueue_region_sync(region, trigger="alice")

    assert asked.queued and asked.run.status == SyncRun.Status.QUEUED
    assert published == [((region.pk,), {"trigger": "alice", "run_id": asked.run.pk})]


def test_enqueue_region_sync_waits_for_the_commit(published, django_capture_on_commit_callbacks):
    region = RegionFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asked = tasks.enqueue_region_sync(region, trigger="alice")
    assert asked.queued
    assert published == []

    callbacks[0]()

    assert published == [((region.pk,), {"trigger": "alice", "run_id": asked.run.pk})]


def test_enqueue_region_sync_returns_false_when_publishing_fails(monkeypatch, outside_transaction):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.sync_region_task, "apply_async", unreachable)

    region = RegionFactory()
    asked = tasks.enqueue_region_sync(region, trigger="alice")

    assert not asked.queued and "unreachable" in asked.message
    # Withdrawn: the next click (or beat) queues it again.
    assert SyncRun.objects.get(region=region).status == SyncRun.Status.SKIPPED
    assert not SyncRun.objects.filter(region=region, status__in=SyncRun.ACTIVE).exists()


@pytest.fixture
def unreachable_broker():
    from config.celery import app
    from emulator.testing import free_port

    def forget_connections() -> None:
        # The app caches its connection pool and producer pool: drop both each way.
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    forget_connections()
    yield
    app.conf.broker_url = old
    forget_connections()


@pytest.mark.parametrize("in_transaction", [True, False])
def test_enqueue_region_sync_against_a_real_unreachable_broker(
    unreachable_broker, monkeypatch, in_transaction
):
    region = RegionFactory()
    if not in_transaction:
        monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)

    asked = tasks.enqueue_region_sync(region, trigger="alice")

    assert not asked.queued and "unreachable" in asked.message
    assert not SyncRun.objects.filter(region=region, status__in=SyncRun.ACTIVE).exists()


def test_a_queued_sync_is_served_by_its_task_and_a_redelivery_does_nothing(
    ses_one_address, published, django_capture_on_commit_callbacks
):
    region = RegionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        asked = tasks.enqueue_region_sync(region, trigger="alice")

    first = tasks.sync_region_task.run(region.pk, trigger="alice", run_id=asked.run.pk)
    again = tasks.sync_region_task.run(region.pk, trigger="alice", run_id=asked.run.pk)

    assert first == again == SyncRun.Status.PARTIAL  # the same run, served once
    assert SyncRun.objects.get().pk == asked.run.pk


def test_a_running_sync_whose_lease_lapsed_does_not_block_sync_now(published):
    region = RegionFactory(sync_lock_until=timezone.now() - timedelta(seconds=1))
    dead = SyncRun.objects.create(region=region, status=SyncRun.Status.RUNNING)

    asked = enqueue.request_sync(region, trigger="alice")

    assert asked.queued
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and "lease lapsed" in dead.error


def _lost_queued_run(settings) -> SyncRun:
    """A queued run older than two sync intervals: its task never came."""
    settings.SESOPS_SYNC_INTERVAL = 300
    return SyncRun.objects.create(
        region=RegionFactory(),
        status=SyncRun.Status.QUEUED,
        started_at=timezone.now() - timedelta(seconds=601),
    )


def test_a_queued_run_whose_task_was_lost_stops_counting(settings):
    lost = _lost_queued_run(settings)
    region = lost.region
    fresh = SyncRun.objects.create(region=RegionFactory(), status=SyncRun.Status.QUEUED)

    assert enqueue.request_sync(region, trigger="beat").queued
    assert not enqueue.request_sync(fresh.region, trigger="beat").queued
    lost.refresh_from_db()
    assert lost.status == SyncRun.Status.FAILED


def test_a_task_that_gives_up_on_the_database_fails_its_queued_run_at_once(published, monkeypatch):
    from django import db

    region = RegionFactory()
    asked = enqueue.request_sync(region, trigger="alice")
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(1)
        raise db.OperationalError("FATAL: sorry, too many clients already")

    monkeypatch.setattr(tasks, "sync_region_id", refused)
    result = tasks.sync_region_task.apply(
        args=[region.pk], kwargs={"trigger": "alice", "run_id": asked.run.pk}
    )

    assert result.failed() and len(attempts) == 1 + tasks.sync_region_task.max_retries
    asked.run.refresh_from_db()
    assert asked.run.status == SyncRun.Status.FAILED
    assert "gave up" in asked.run.error and "too many clients" in asked.run.error
    assert enqueue.request_sync(region, trigger="alice").queued  # "Sync now" works again


def _fan_out_queries(count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Region.objects.all().delete()
    for _ in range(count):
        RegionFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert tasks.sync_all_regions.run() == count
    return len(ctx.captured_queries)


def test_the_fan_out_costs_the_same_queries_for_2_or_12_regions(published):
    assert _fan_out_queries(2) == _fan_out_queries(12)


def test_the_fan_out_fails_a_lost_queued_run_and_queues_its_region_again(published, settings):
    lost = _lost_queued_run(settings)
    region = lost.region

    assert tasks.sync_all_regions.run() == 1

    lost.refresh_from_db()
    assert lost.status == SyncRun.Status.FAILED and lost.error == enqueue.LOST_TASK
    assert SyncRun.objects.get(region=region, status=SyncRun.Status.QUEUED)


def test_a_fan_out_whose_broker_fails_withdraws_the_runs_it_did_not_publish(
    monkeypatch, outside_transaction
):
    regions = [RegionFactory(), RegionFactory(), RegionFactory()]
    sent = []

    def fails_after_one(args=(), kwargs=None, **options):
        if sent:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        sent.append(args[0])

    monkeypatch.setattr(tasks.sync_region_task, "apply_async", fails_after_one)
    tasks.enqueue_region_syncs(regions, trigger="beat")

    runs = SyncRun.objects.filter(region__in=regions)
    assert runs.filter(status=SyncRun.Status.QUEUED).count() == 1
    assert runs.filter(status=SyncRun.Status.SKIPPED, error=enqueue.UNREACHABLE).count() == 2


def test_a_worker_freezes_its_start_up_objects_with_the_ses_models_loaded(monkeypatch):
    done = []
    monkeypatch.setattr(tasks, "warm", lambda: done.append("warm"))
    monkeypatch.setattr(tasks.gc, "collect", lambda: done.append("collect"))
    monkeypatch.setattr(tasks.gc, "freeze", lambda: done.append("freeze"))

    tasks.freeze_start_up_objects(sender=None)

    assert done == ["warm", "collect", "freeze"]


def test_a_threads_worker_freezes_when_ready_and_a_prefork_parent_does_not(monkeypatch):
    from types import SimpleNamespace

    from celery.concurrency import prefork, thread

    done = []
    monkeypatch.setattr(tasks, "build_region_clients", lambda: done.append("clients"))
    monkeypatch.setattr(tasks, "freeze_start_up_objects", lambda: done.append("freeze"))

    tasks._on_worker_ready(sender=SimpleNamespace(pool=thread.TaskPool.__new__(thread.TaskPool)))
    tasks._on_worker_ready(sender=SimpleNamespace(pool=prefork.TaskPool.__new__(prefork.TaskPool)))

    # Prefork children freeze their own, at worker_process_init; they build clients lazily.
    assert done == ["clients", "freeze"]


def test_a_threads_worker_builds_every_active_regions_clients_before_its_first_task(
    monkeypatch,
):
    from regions import ses

    active = [RegionFactory(code="us-east-1"), RegionFactory(code="eu-west-1")]
    RegionFactory(code="ap-south-1", hidden=True)
    RegionFactory(code="sa-east-1", account=AwsAccountFactory(is_active=False))
    built = []
    monkeypatch.setattr(ses, "client_for", lambda account, code: built.append(code))

    assert tasks.build_region_clients() == 2

    assert sorted(built) == sorted(r.code for r in active)


def test_a_worker_starts_when_its_regions_clients_cannot_be_built(monkeypatch, caplog):
    from django import db

    from regions import ses

    RegionFactory(code="us-east-1")

    def refused(*args, **kwargs):
        raise db.OperationalError("the database is restarting")

    monkeypatch.setattr(tasks, "active_regions", refused)
    assert tasks.build_region_clients() == 0
    assert "not built at start: the database is restarting" in caplog.text

    monkeypatch.setattr(tasks, "active_regions", lambda: Region.objects.all())
    monkeypatch.setattr(ses, "client_for", lambda account, code: 1 / 0)
    assert tasks.build_region_clients() == 0  # each region's sync reports its own problem
