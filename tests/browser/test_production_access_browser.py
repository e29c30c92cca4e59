"""Walk the production-access wizard in Chromium for one region, against the SES emulator.

Regions page -> "Request production access" -> readiness checklist -> form -> SES's answer.
Saves docs/screenshots/production-access.png (the form step, checklist open),
production-access-result.png and regions.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from emulator.testing import run_emulator
from regions import ses
from regions.models import ProductionAccessRequest
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)
from tests.identities.ses_backends import ses_env  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT_ID = "333333333333"
ACCESS_KEY = "AKIABROWSERWIZARD001"


@pytest.fixture
def emu(ses_env) -> Iterator:  # noqa: F811  (the imported fixture)
    scenario = {
        "review_delay_seconds": 10**9,
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "label": "prod",
                "access_keys": [ACCESS_KEY],
                "regions": {"eu-west-1": {"production": False}, "us-east-1": {"production": True}},
            }
        ],
    }
    with run_emulator(scenario) as running:
        ses_env.setenv("AWS_ENDPOINT_URL", running.url)
        ses_env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        ses.clear_client_cache()
        yield running


def _seed():
    prod = AwsAccountFactory(label="prod", account_id=ACCOUNT_ID)
    east = RegionFactory(account=prod, code="us-east-1")
    west = RegionFactory(
        account=prod,
        code="eu-west-1",
        production_access_enabled=False,
        max_24_hour_send=200.0,
        max_send_rate=1.0,
        sent_last_24_hours=37.0,
    )
    RegionFactory(account=prod, code="ap-south-1", production_access_enabled=False)
    domain = IdentityFactory(account=prod, name="shop.example")
    for region in (east, west):
        ri = RegionalIdentityFactory(
            identity=domain,
            region=region,
            dkim_signing_enabled=True,
            dkim_status="SUCCESS",
            mail_from_domain="bounce.shop.example",
            mail_from_status="SUCCESS" if region == east else "PENDING",
        )
        DnsCheckFactory(
            regional_identity=ri, purpose="dmarc", name="_dmarc.shop.example", rtype="TXT"
        )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=prod, name="orders@shop.example"), region=east
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=prod, name="alerts@ops.example"),
        region=west,
        verification_status="PENDING",
        verified_for_sending=False,
    )
    return west


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_it_walks_the_wizard_for_one_region(
    emu, live_server, browser_page, browser_settings, admin_user
):
    west = _seed()
    page = browser_page
    _log_in(page, live_server, admin_user)

    page.goto(f"{live_server.url}/regions/")
    row = page.locator('tr[data-region="prod/eu-west-1"]')
    assert "Sandbox" in row.inner_text()
    row.get_by_role("link", name="Request production access").click()

    # Step 1: the readiness checklist.
    page.wait_for_selector("#readiness")
    checklist = page.locator("#readiness").inner_text()
    assert "Readiness in eu-west-1" in checklist
    assert "shop.example" in checklist  # the DKIM domain
    assert "bounce.shop.example: PENDING" in checklist  # MAIL FROM not confirmed yet
    assert "alerts@ops.example" in checklist  # a blocked identity
    page.click("#to-form")

    # Step 2: the form; only eu-west-1 is ticked.
    page.wait_for_selector("#request-form")
    assert page.is_checked(f'input[name="regions"][value="{west.pk}"]')
    page.check('input[name="mail_type"][value="TRANSACTIONAL"]')
    page.fill('input[name="website_url"]', "https://shop.example")
    page.fill(
        'textarea[name="use_case_description"]',
        "Order confirmations and password resets for shop.example customers, ~3,000/day. "
        "Bounces and complaints arrive by SNS and suppress the address at once. Recipients "
        "are customers who created an account; no marketing mail.",
    )
    page.fill('textarea[name="additional_contacts"]', "ops@shop.example")
    page.locator("details.readiness-summary summary").click()  # checklist open in the picture
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "production-access.png"), full_page=True)
    page.click("#submit-request")

    # SES's answer.
    page.wait_for_selector("#answers")
    answer = page.locator('tr[data-region="eu-west-1"]')
    assert answer.get_attribute("data-outcome") == "submitted"
    case_id = emu.control("GET", f"regions/{ACCOUNT_ID}/eu-west-1")["review"]["case_id"]
    assert case_id in answer.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "production-access-result.png"), full_page=True)

    request = ProductionAccessRequest.objects.get()
    assert (request.region_id, request.outcome, request.submitted_by) == (
        west.pk,
        "submitted",
        admin_user,
    )
    assert request.additional_contacts == ["ops@shop.example"]

    # Back on the regions page the button is gone: the review is pending.
    page.goto(f"{live_server.url}/regions/")
    row = page.locator('tr[data-region="prod/eu-west-1"]')
    assert "Review pending" in row.inner_text()
    assert row.get_by_role("link", name="Request production access").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "regions.png"), full_page=True)
