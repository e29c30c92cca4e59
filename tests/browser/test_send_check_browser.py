"""The send check and the activity feed in Chromium: htmx swaps in place, URLs follow filters.

Saves docs/screenshots/send-check.png and activity.png.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from regions.models import Event
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    AwsAccountFactory,
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewer(transactional_db):
    # Transactional tests flush the tables between tests, the migration's groups with them.
    Group.objects.get_or_create(name="viewer")
    return user_with_role("viewer", "viewer")


def _seed() -> None:
    prod = AwsAccountFactory(label="prod", account_id="111111111111")
    east = RegionFactory(account=prod, code="us-east-1")
    west = RegionFactory(
        account=prod, code="eu-west-1", production_access_enabled=False, max_24_hour_send=200.0
    )
    admin = IdentityFactory(account=prod, name="admin@mydomain.example")
    for region in (east, west):
        RegionalIdentityFactory(identity=admin, region=region)
    EventFactory(
        kind=Event.Kind.STATUS, account=prod, region=west, identity_name="admin@mydomain.example",
        subject="verification_status", before="PENDING", after="SUCCESS",
    )  # fmt: skip
    EventFactory(
        kind=Event.Kind.ACTION, actor_name="operator", account=prod, region=west,
        identity_name="ops@mydomain.example", subject="resend_verification", result="ok",
        message="Verification email sent again.",
    )  # fmt: skip
    EventFactory(
        kind=Event.Kind.SYNC_ERROR, region=east, result="error",
        message="GetAccount: SES throttled the request (too many requests)",
    )  # fmt: skip


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_a_viewer_runs_a_send_check_in_place(live_server, browser_page, browser_settings, viewer):
    _seed()
    page = browser_page
    _log_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/send-check/")
    page.fill('input[name="sender"]', "admin@mydomain.example")
    page.fill('textarea[name="recipients"]', "someone@example.com")
    page.select_option('select[name="region"]', "eu-west-1")
    page.click("#send-check-panel button[type=submit]")

    error = page.wait_for_selector("code.ses-error")
    assert error.inner_text() == (
        "MessageRejected: Email address is not verified. The following identities failed the "
        "check in region EU-WEST-1: someone@example.com"
    )
    assert page.url.endswith("/send-check/")  # swapped in place, no navigation
    assert page.input_value('textarea[name="recipients"]') == "someone@example.com"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "send-check.png"), full_page=True)

    page.select_option('select[name="region"]', "us-east-1")
    page.click("#send-check-panel button[type=submit]")
    page.wait_for_selector('[data-accepted="true"]')
    assert "SES would accept this message" in page.inner_text("#send-check-result")


def test_the_activity_feed_filters_in_place_and_keeps_them_in_the_url(
    live_server, browser_page, browser_settings, viewer
):
    _seed()
    page = browser_page
    _log_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/activity/")
    assert page.locator("#activity-results tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "activity.png"), full_page=True)

    page.select_option("#a-kind", "action")
    expect(page.locator("#activity-results tbody tr")).to_have_count(1)
    assert "Verification email resent" in page.inner_text("#activity-results")
    assert "kind=action" in page.url

    page.reload()  # the filtered view survives a plain page load
    assert page.locator("#activity-results tbody tr").count() == 1
    assert page.input_value("#a-kind") == "action"


def test_the_return_path_field_is_checked_like_the_sender_on_a_phone(
    live_server, browser_page, browser_settings, viewer
):
    _seed()
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/send-check/")
    page.fill('input[name="sender"]', "admin@mydomain.example")
    page.fill('textarea[name="recipients"]', "someone@example.com")
    page.fill('input[name="return_path"]', "Bounces <bounces@elsewhere.example>")
    page.select_option('select[name="region"]', "us-east-1")
    page.click("#send-check-panel button[type=submit]")
    error = page.wait_for_selector("code.ses-error")
    assert error.inner_text().endswith(
        "check in region US-EAST-1: Bounces <bounces@elsewhere.example>"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "send-check-return-path-390.png"), full_page=True)
