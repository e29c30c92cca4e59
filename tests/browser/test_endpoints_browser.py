"""Global endpoints on the regions page, in Chromium, from a real sync of the SES emulator:
one endpoint ready (both regions in production, a DEED replica), one whose secondary region
is still in the sandbox (blocked, with the reason). At 1366 and 390 px, nothing scrolls
sideways. Saves var/screenshots/endpoints-1366.png and endpoints-390.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from playwright.sync_api import expect

from emulator.testing import run_emulator
from identities.sync.run import sync_region
from regions import ses
from tests.browser.conftest import SCREENSHOTS
from tests.factories import AwsAccountFactory, RegionFactory
from tests.identities.ses_backends import ses_env  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT_ID = "444444444444"
ACCESS_KEY = "AKIABROWSERENDPOINT1"


def _domain(origin: str = "") -> dict:
    spec = {"name": "shop.example", "status": "SUCCESS", "pin": True}
    return {**spec, "dkim_origin": origin} if origin else spec


SCENARIO = {
    "accounts": [
        {
            "id": ACCOUNT_ID,
            "label": "prod",
            "access_keys": [ACCESS_KEY],
            "regions": {
                "us-east-1": {
                    "production": True,
                    "identities": [
                        _domain(),
                        {"name": "orders@shop.example", "status": "SUCCESS"},
                    ],
                    "endpoints": [{"name": "global-mail", "secondary": "eu-west-1"}],
                },
                "eu-west-1": {
                    "production": True,
                    "identities": [_domain("AWS_SES_US_EAST_1")],
                    "endpoints": [{"name": "apac-failover", "secondary": "ap-southeast-2"}],
                },
                "ap-southeast-2": {
                    "production": False,
                    "identities": [_domain("AWS_SES_US_EAST_1")],
                },
            },
        }
    ],
}


@pytest.fixture
def synced(ses_env) -> Iterator[None]:  # noqa: F811  (the imported fixture)
    with run_emulator(SCENARIO) as running:
        ses_env.setenv("AWS_ENDPOINT_URL", running.url)
        ses_env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        ses.clear_client_cache()
        prod = AwsAccountFactory(label="prod", account_id=ACCOUNT_ID)
        for code in ("us-east-1", "eu-west-1", "ap-southeast-2"):
            run = sync_region(RegionFactory(account=prod, code=code), trigger="test")
            assert run.status == "succeeded", run.error
        yield


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_one_endpoint_is_ready_and_one_is_blocked_by_its_sandbox_region(
    synced, live_server, browser_page, browser_settings, admin_user
):
    page = browser_page
    _log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/regions/")

    ready = page.locator('[data-endpoint="global-mail"]')
    expect(ready.locator(".endpoint-head")).to_contain_text("Ready")
    expect(ready.locator(".endpoint-facts")).to_contain_text("us-east-1 primary + eu-west-1")
    expect(ready.locator('tr[data-identity="shop.example"]')).to_contain_text("Can send")
    expect(ready.locator('tr[data-identity="shop.example"]')).to_contain_text(
        "DEED replica of us-east-1"
    )
    # The address exists in us-east-1 only: blocked there, and why, once its cell is opened.
    address = ready.locator('tr[data-identity="orders@shop.example"]')
    expect(address).to_contain_text("Blocked")
    address.locator("details.endpoint-cell summary").first.click()
    expect(address).to_contain_text("The identity does not exist in eu-west-1")

    blocked = page.locator('[data-endpoint="apac-failover"]')
    expect(blocked.locator(".endpoint-head")).to_contain_text("Not ready")
    expect(blocked.locator(".endpoint-blockers")).to_contain_text(
        "ap-southeast-2 is in the SES sandbox"
    )
    expect(blocked.locator(".endpoint-blockers")).to_contain_text(
        "Request production access for ap-southeast-2"
    )
    row = blocked.locator('tr[data-identity="shop.example"]')
    expect(row).to_contain_text("Blocked")
    row.locator("details.endpoint-cell summary").last.click()
    expect(row).to_contain_text("Production access needed")

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/regions/#global-endpoints")
        expect(page.locator('[data-endpoint="apac-failover"]')).to_be_visible()
        page.locator('[data-endpoint="apac-failover"] details.endpoint-cell summary').last.click()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#global-endpoints").screenshot(
            path=str(SCREENSHOTS / f"endpoints-{width}.png")
        )
