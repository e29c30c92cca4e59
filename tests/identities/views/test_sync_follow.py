"""The identity page follows the sync its "Sync now" started: it polls until every region's
run has ended, then swaps in the changed parts and stops polling (HTTP 286)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from regions.models import Event, SyncRun
from tests.factories import SyncRunFactory

pytestmark = pytest.mark.django_db


def _follow_url(html: str) -> str:
    found = re.search(r'id="sync-follow"[^>]*hx-get="([^"]+)"', html, re.S)
    assert found, "no poller in the answer"
    return found.group(1).replace("&amp;", "&")


def test_sync_now_answers_with_a_poller_for_the_regions_it_queued(operator_client, world, queued):
    old = SyncRunFactory(region=world["use1"])
    html = operator_client.post(
        f"/identities/{world['address'].pk}/sync/", HTTP_HX_REQUEST="true"
    ).content.decode()
    runs = parse_qs(urlsplit(_follow_url(html)).query)["runs"][0]
    # Each queued region with the newest run that had ended; not ap-southeast-2, where the
    # identity is not and nothing was queued.
    assert sorted(runs.split(",")) == sorted([f"{world['use1'].pk}:{old.pk}",
                                              f"{world['euw1'].pk}:0"])  # fmt: skip
    assert 'id="timeline" hx-swap-oob="true"' in html  # the click is in the history now


def test_the_poll_says_where_each_sync_is_and_keeps_polling(operator_client, world, queued):
    html = operator_client.post(
        f"/identities/{world['address'].pk}/sync/", HTTP_HX_REQUEST="true"
    ).content.decode()
    url = _follow_url(html)
    SyncRunFactory(region=world["use1"], status=SyncRun.Status.RUNNING)
    response = operator_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "eu-west-1</strong>: waiting for a worker" in body
    assert "us-east-1</strong>: reading SES" in body


def test_once_every_run_ended_it_swaps_the_changed_parts_and_stops_polling(
    operator_client, world, queued
):
    html = operator_client.post(
        f"/identities/{world['address'].pk}/sync/", HTTP_HX_REQUEST="true"
    ).content.decode()
    url = _follow_url(html)
    for region in (world["use1"], world["euw1"]):
        SyncRunFactory(region=region, changes=1, finished_at=timezone.now())
    Event.objects.create(kind=Event.Kind.STATUS, region=world["euw1"], account=world["acc"],
                         identity_name=world["address"].name, subject="verification_status",
                         before="FAILED", after="SUCCESS")  # fmt: skip
    response = operator_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # htmx stops polling
    body = response.content.decode()
    assert "Sync finished" in body and "hx-get" not in body.split('id="identity-regions"')[0]
    assert 'id="identity-regions" hx-swap-oob="true"' in body
    assert 'id="timeline" hx-swap-oob="true"' in body
    assert "verification" in body.split('id="timeline"')[1].lower()


@pytest.mark.parametrize(
    "query", ["", "?runs=1:1", "?runs=x&since=2026-01-01T00:00:00Z", "?runs=1:1&since=yesterday"]
)
def test_a_bad_poll_is_a_400(viewer_client, world, query):
    response = viewer_client.get(f"/identities/{world['address'].pk}/sync/follow/{query}")
    assert response.status_code == 400
