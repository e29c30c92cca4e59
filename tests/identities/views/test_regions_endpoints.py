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
        # The first view computes the per-row flags the factories left unknown (as the grid).
        viewer_client.get(reverse("regions"))
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(reverse("regions")).status_code == 200
        return len(queries)

    before = count()
    for i in range(20):
        identity = IdentityFactory(account=ready.primary.account, name=f"u{i}@example.com")
        RegionalIdentityFactory(identity=identity, region=ready.primary)
    assert count() == before


def _mixed(world, n_ready: int = 0):
    """Identities of the ready endpoint's two regions in many states (each in both regions
    unless said): what the SQL count must agree with the rules on."""
    ready, _ = world
    us = ready.primary
    eu = RegionFactory(account=us.account, code="eu-west-1")
    states = {
        "pending@a.test": {"verification_status": "PENDING", "verified_for_sending": False},
        "off@a.test": {"sending_enabled": False},
        "dkim-pending.test": {"dkim_status": "PENDING"},
        "signing-off.test": {"dkim_status": "SUCCESS", "dkim_signing_enabled": False},
        "signing-unknown.test": {"dkim_status": "SUCCESS", "dkim_signing_enabled": None},
        "gone@a.test": {"present": False},
    }
    for name, fields in states.items():
        kind = "EMAIL" if "@" in name else "DOMAIN"
        identity = IdentityFactory(account=us.account, name=name, kind=kind)
        RegionalIdentityFactory(identity=identity, region=us, **fields)
        signs = {"dkim_status": "SUCCESS", "dkim_signing_enabled": True} if kind == "DOMAIN" else {}
        RegionalIdentityFactory(identity=identity, region=eu, **signs)  # fine in eu-west-1
    for i in range(n_ready):
        identity = IdentityFactory(account=us.account, name=f"ok{i}@a.test")
        for region in (us, eu):
            RegionalIdentityFactory(identity=identity, region=region)
    return ready


def test_the_count_of_identities_that_can_send_agrees_with_the_rules_on_each_state(world):
    from identities.selectors.endpoints import endpoints_for_page

    ready = _mixed(world, n_ready=2)

    (view,) = [v for v in endpoints_for_page([ready.primary]) if v.endpoint == ready]

    # Every identity is listed (fewer than SHOWN), each judged in full by the rules.
    assert view.total == len(view.rows) == 10
    judged = {row.identity.name for row in view.rows if row.ready}
    assert view.ready_count == len(judged)
    assert judged == {"example.com", "signing-unknown.test", "ok0@a.test", "ok1@a.test"}


def test_only_the_shown_identities_are_judged_those_that_cannot_send_first(world, monkeypatch):
    from identities.selectors import endpoints

    monkeypatch.setattr(endpoints, "SHOWN", 3)
    ready = _mixed(world, n_ready=5)

    (view,) = [v for v in endpoints.endpoints_for_page([ready.primary]) if v.endpoint == ready]

    assert (view.total, view.ready_count, view.hidden_rows) == (13, 7, 10)
    assert [r.identity.name for r in view.rows] == [
        "dkim-pending.test",
        "gone@a.test",
        "off@a.test",
    ]
    assert not any(r.ready for r in view.rows)


def test_a_region_that_blocks_every_identity_leaves_none_able_to_send(viewer_client, world):
    from identities.selectors.endpoints import endpoints_for_page

    _, blocked = world  # its secondary, ap-southeast-2, is in the sandbox

    (view,) = [v for v in endpoints_for_page([blocked.primary]) if v.endpoint == blocked]

    assert (view.ready_count, view.total) == (0, 1)
    assert [r.ready for r in view.rows] == [False]
    assert "None of the 1 identities" in " ".join(b.message for b in view.blockers)
