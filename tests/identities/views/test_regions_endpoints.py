"""The regions page's global endpoints: each endpoint with its two regions, ready or not and
why, and for each identity whether it can send through it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from regions.models import GlobalEndpoint
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acct = AwsAccountFactory(label="prod")
    us = RegionFactory(account=acct, code="us-east-1")
    eu = RegionFactory(account=acct, code="eu-west-1")
    ap = RegionFactory(account=acct, code="ap-southeast-2", production_access_enabled=False)
    domain = IdentityFactory(account=acct, name="example.com", kind="DOMAIN")
    for region, origin in ((us, "AWS_SES"), (eu, "AWS_SES_US_EAST_1"), (ap, "AWS_SES_US_EAST_1")):
        RegionalIdentityFactory(
            identity=domain,
            region=region,
            dkim_status="SUCCESS",
            dkim_signing_enabled=True,
            dkim_origin=origin,
        )
    only_us = IdentityFactory(account=acct, name="ops@example.com")
    RegionalIdentityFactory(identity=only_us, region=us)
    ready = GlobalEndpoint.objects.create(
        primary=us,
        name="global-mail",
        endpoint_id="abc.def",
        status="READY",
        secondary_code="eu-west-1",
    )
    blocked = GlobalEndpoint.objects.create(
        primary=eu,
        name="apac",
        endpoint_id="ghi.jkl",
        status="READY",
        secondary_code="ap-southeast-2",
    )
    GlobalEndpoint.objects.create(
        primary=us, name="old", status="READY", secondary_code="eu-west-1", present=False
    )
    return ready, blocked


def _card(html: str, name: str) -> str:
    start = html.index(f'data-endpoint="{name}"')
    end = html.find('data-endpoint="', start + 1)
    return html[start : end if end > 0 else None]


def test_each_endpoint_shows_its_regions_and_whether_it_is_ready(viewer_client, world):
    html = viewer_client.get(reverse("regions")).content.decode()

    ready = _card(html, "global-mail")
    assert 'us-east-1</code> <span class="muted small">primary' in ready
    assert 'eu-west-1</code> <span class="muted small">secondary' in ready
    assert "Ready" in ready and "Not ready" not in ready
    assert "<strong>1</strong> of 2 can send through it" in ready
    assert "DEED replica of us-east-1" in ready
    # ops@example.com exists in us-east-1 only: blocked, with the reason and the fix.
    assert "The identity does not exist in eu-west-1" in ready

    blocked = _card(html, "apac")
    assert "Not ready" in blocked
    assert "ap-southeast-2 is in the SES sandbox" in blocked
    assert "Request production access for ap-southeast-2" in blocked
    assert 'data-endpoint="old"' not in html  # gone from SES: not shown


def test_the_tables_poll_does_not_read_the_endpoints(viewer_client, world):
    response = viewer_client.get(reverse("regions"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "global-endpoints" not in response.content.decode()


def test_a_failed_endpoint_list_is_shown_beside_the_last_good_one(viewer_client, world):
    ready, _ = world
    ready.primary.endpoints_error = "ListMultiRegionEndpoints: access denied"
    ready.primary.save()

    html = viewer_client.get(reverse("regions")).content.decode()

    assert "Global endpoints: ListMultiRegionEndpoints: access denied" in html  # region row
    assert "The last read of us-east-1's endpoints failed" in _card(html, "global-mail")


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_identities(viewer_client, world):
    ready, _ = world

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(reverse("regions")).status_code == 200
        return len(queries)

    before = count()
    for i in range(20):
        identity = IdentityFactory(account=ready.primary.account, name=f"u{i}@example.com")
        RegionalIdentityFactory(identity=identity, region=ready.primary)
    assert count() == before
