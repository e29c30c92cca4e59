"""SES's advice about no identity on the regions page, at 1366 and 390 px: the region's card
opens to SES's text, type, impact and resource, and nothing scrolls sideways. Saves
var/screenshots/account-advice-1366.png and account-advice-390.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import (
    AwsAccountFactory,
    RegionFactory,
    SesRecommendationFactory,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARN = "arn:aws:ses:us-east-1:111111111111:dedicated-ip-pool/marketing-pool-with-a-long-name"


@pytest.mark.parametrize("width", (1366, 390))
def test_account_advice_opens_to_ses_text_without_sideways_scroll(
    live_server, browser_page, browser_settings, width
):
    acc = AwsAccountFactory(label="prod", account_id="111111111111")
    region = RegionFactory(account=acc, code="us-east-1", vdm_enabled=True)
    SesRecommendationFactory(
        region=region, identity_name="", resource_arn=ARN, type="IP_LISTING", impact="HIGH",
        description="The dedicated IP 192.0.2.10 is on a blocklist: mail from it may be refused.",
    )  # fmt: skip
    user_with_role("ada", "viewer")
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, "ada")
    page.goto(f"{base}/regions/")
    card = page.locator(f"#account-advice-{region.pk}")
    card.locator("summary").click()
    expect(card).to_contain_text("IP_LISTING")
    expect(card).to_contain_text("High impact")
    expect(card).to_contain_text("on a blocklist")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#account-advice").screenshot(
        path=str(SCREENSHOTS / f"account-advice-{width}.png")
    )
