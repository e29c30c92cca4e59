"""A page follows the work it started: after "Sync now" the identity page polls the sync
until it ends, then shows the new state and history, without a reload; the poll stops.

No Celery worker runs here: the test plays the worker (queue, run row, SES's answer).
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identities import tasks
from identities.blockers.flags import refresh_blocking
from identities.models import RegionalIdentity
from identities.sync.enqueue import SyncRequest
from regions.models import Event, SyncRun
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db, monkeypatch):
    data = seed_dashboard()
    user_with_role("olivia", "operator")
    queued = []

    def enqueue(region, trigger: str) -> SyncRequest:
        # What "Sync now" does (identities/sync/enqueue.py) up to publishing the task: a
        # queued run row, the region's one active run.
        queued.append(region.code)
        run = SyncRun.objects.create(region=region, status=SyncRun.Status.QUEUED, trigger=trigger)
        return SyncRequest(run, True, "sync queued")

    monkeypatch.setattr(tasks, "enqueue_region_sync", enqueue)
    data["queued"] = queued
    return data


@pytest.mark.parametrize("width", [1366, 390])
def test_a_started_sync_is_followed_to_its_end_without_a_reload(
    live_server, browser_page, browser_settings, seeded, width
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, "olivia")
    billing = seeded["billing"]
    euw1 = seeded["regions"][1]
    page.goto(f"{base}/identities/{billing.pk}/")
    page.locator("body").evaluate("b => { b.dataset.loadedOnce = 'yes'; }")  # gone on reload
    expect(page.locator("#identity-regions")).to_contain_text("Blocked")

    page.get_by_role("button", name="Sync now").click()
    follow = page.locator("#sync-follow")
    expect(follow).to_contain_text("eu-west-1: waiting for a worker")
    assert sorted(seeded["queued"]) == ["eu-west-1", "us-east-1"]

    # A worker starts the sync of eu-west-1 ...
    run = SyncRun.objects.get(region=euw1, status=SyncRun.Status.QUEUED)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING)
    expect(follow).to_contain_text("eu-west-1: reading SES")
    # ... SES says the address is verified now; both regions' syncs end.
    rows = RegionalIdentity.objects.filter(identity=billing, region=euw1)
    rows.update(verification_status="SUCCESS", verified_for_sending=True, sending_enabled=True,
                changed_at=timezone.now())  # fmt: skip
    refresh_blocking(rows.values_list("pk", flat=True))
    Event.objects.create(kind=Event.Kind.STATUS, account=seeded["prod"], region=euw1,
                         identity_name=billing.name, subject="verification_status",
                         before="PENDING", after="SUCCESS")  # fmt: skip
    SyncRun.objects.filter(pk=run.pk).update(status="succeeded", changes=1,
                                             finished_at=timezone.now())  # fmt: skip
    SyncRun.objects.filter(region=seeded["regions"][0], status="queued").update(
        status="succeeded", finished_at=timezone.now()
    )

    expect(follow).to_contain_text("Sync finished", timeout=10000)
    expect(follow).to_contain_text("eu-west-1: done, 1 change")
    expect(page.locator("#identity-regions")).not_to_contain_text("Blocked")
    expect(page.locator("#timeline")).to_contain_text("eu-west-1")
    assert page.locator("body").get_attribute("data-loaded-once") == "yes"  # no reload
    assert follow.get_attribute("hx-get") is None  # the poll stopped
    page.screenshot(path=str(SCREENSHOTS / f"sync-followed-{width}.png"), full_page=True)
