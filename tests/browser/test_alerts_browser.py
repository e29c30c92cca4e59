"""The alert pages in Chromium at 1366 px and 390 px: nothing scrolls sideways, the test
button queues a delivery that shows in the log, and the delete confirmation comes from the
static script (no inline JS)."""

from __future__ import annotations

import pytest

from alerts.models import Alert, Delivery, Problem
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_layout_browser import _log_in
from tests.factories import ChannelFactory, RegionFactory, RuleFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db, monkeypatch):
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: None)
    user_with_role("ada", "admin")
    region = RegionFactory(code="ap-southeast-2")
    channel = ChannelFactory(name="ops-webhook", target="https://hooks.example.org/sesops/alerts")
    RuleFactory(
        channel=channel,
        kinds=["identity_blocked", "quota"],
        regions=["ap-southeast-2"],
        realert_minutes=60,
        digest_minutes=15,
    )
    text = (
        "mydomain.example cannot send in prod/ap-southeast-2: the DKIM CNAME "
        "ubwxiv3ltjvolzczt4bqkhkuoxrq6y7v._domainkey.mydomain.example is missing"
    )
    Problem.objects.create(
        kind="identity_blocked",
        key="k",
        severity="critical",
        text=text,
        link="/",
        region=region,
        account=region.account,
    )
    alert = Alert.objects.create(
        kind="identity_blocked", state="firing", severity="critical", text=text, link="/"
    )
    failed = Delivery.objects.create(
        channel=channel,
        status="failed",
        attempts=8,
        last_error="gave up after 8 attempts: HTTP 503: " + "x" * 200,
    )
    failed.alerts.add(alert)
    return channel


@pytest.mark.parametrize("width", [1366, 390])
def test_alert_pages_fit_the_screen(live_server, browser_page, browser_settings, seeded, width):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, base)
    for name, path in (
        ("home", "/alerts/"),
        ("channel", f"/alerts/channels/{seeded.pk}/"),
        ("rule", f"/alerts/channels/{seeded.pk}/rules/new/"),
        ("deliveries", "/alerts/deliveries/"),
    ):
        page.goto(f"{base}{path}")
        page.screenshot(path=str(SCREENSHOTS / f"alerts-{name}-{width}.png"), full_page=True)
        # The page's own content (the top bar's narrow layout is the shared layout's job).
        assert page.evaluate("document.querySelector('main').scrollWidth") <= width, path


def test_send_a_test_alert_and_confirm_before_delete(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    _log_in(page, base)
    page.goto(f"{base}/alerts/channels/{seeded.pk}/")
    page.click("#send-test")
    page.wait_for_url("**/alerts/deliveries/**")
    assert "Test alert from sesops, sent by ada" in page.inner_text("#delivery-results")

    page.goto(f"{base}/alerts/channels/{seeded.pk}/")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("text=Delete channel")
    page.wait_for_timeout(300)
    assert asked and "Delete ops-webhook" in asked[0]
    assert Delivery.objects.filter(channel=seeded).count() == 2  # dismissed: still there
