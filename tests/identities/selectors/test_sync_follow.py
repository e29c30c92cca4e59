"""Following the syncs a "Sync now" click started (identities.selectors.sync_follow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identities.selectors.sync_follow import BadMarks, marks_for, parse_marks, sync_progress
from regions.models import SyncRun
from tests.factories import RegionFactory, SyncRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory(code="eu-west-1")


def _progress(marks, started=None):
    return sync_progress(marks=marks, started=started or timezone.now())


def test_the_mark_is_the_newest_run_that_had_ended(region):
    SyncRunFactory(region=region)
    ended = SyncRunFactory(region=region, status=SyncRun.Status.FAILED)
    SyncRunFactory(region=region, status=SyncRun.Status.RUNNING)  # already on its way
    SyncRunFactory(region=region, kind=SyncRun.Kind.DNS)  # a DNS probe is not a sync
    other = RegionFactory(code="us-east-1")
    assert marks_for([region, other]) == {region.pk: ended.pk, other.pk: 0}


def test_a_click_no_worker_has_picked_up_yet_is_waiting(region):
    marks = marks_for([region])
    progress = _progress(marks)
    assert [(r.code, r.state, r.text) for r in progress.regions] == [
        ("eu-west-1", "queued", "waiting for a worker")
    ]
    assert not progress.ended


def test_it_follows_the_run_through_running_to_its_end(region):
    marks = marks_for([region])
    run = SyncRunFactory(region=region, status=SyncRun.Status.RUNNING)
    assert _progress(marks).regions[0].state == "running"
    assert not _progress(marks).ended
    run.status, run.changes, run.finished_at = SyncRun.Status.SUCCEEDED, 3, timezone.now()
    run.save()
    progress = _progress(marks)
    assert progress.ended and not progress.failed
    assert progress.regions[0].text == "done, 3 changes"


def test_a_click_that_joined_a_sync_already_running_waits_for_that_one(region):
    running = SyncRunFactory(region=region, status=SyncRun.Status.RUNNING)
    marks = marks_for([region])
    assert not _progress(marks).ended
    running.status = SyncRun.Status.FAILED
    running.error = "AccessDenied"
    running.save()
    progress = _progress(marks)
    assert progress.ended and progress.failed
    assert progress.regions[0].text == "failed: AccessDenied"


def test_a_skipped_run_is_not_the_end_while_another_still_runs(region):
    marks = marks_for([region])
    SyncRunFactory(region=region, status=SyncRun.Status.RUNNING)
    SyncRunFactory(region=region, status=SyncRun.Status.SKIPPED)
    assert not _progress(marks).ended


def test_it_gives_up_on_a_sync_no_worker_started_for_minutes(region):
    marks = marks_for([region])
    progress = _progress(marks, started=timezone.now() - timedelta(minutes=4))
    assert progress.ended and progress.gave_up


@pytest.mark.parametrize("text", ["", "1", "1:x", "a:1", ",", "1:2:3", "-1:2"])
def test_bad_marks_are_refused(text):
    with pytest.raises(BadMarks):
        parse_marks(text)


def test_marks_round_trip():
    assert parse_marks("4:6,7:0") == {4: 6, 7: 0}
