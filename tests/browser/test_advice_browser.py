"""SES's own advice (VDM recommendations) in Chromium at 1366 px and 390 px: the identity
page lists each with SES's text, type and impact without scrolling sideways, and the grid
shows the identity's cell in that region as a warning whose popover carries SES's text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    SesRecommendationFactory,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "DKIM is not fully set up for shop.example: SES cannot find all of its DKIM CNAME records, "
    "so some mail goes out without a DKIM signature of the domain."
)


@pytest.fixture
def seeded(transactional_db):
    acc = AwsAccountFactory(label="prod", account_id="111111111111")
    use1 = RegionFactory(account=acc, code="us-east-1", vdm_enabled=True)
    euw1 = RegionFactory(account=acc, code="eu-west-1", vdm_enabled=False)
    shop = IdentityFactory(account=acc, name="shop.example")
    for region in (use1, euw1):
        RegionalIdentityFactory(identity=shop, region=region, dkim_status="SUCCESS",
                                dkim_signing_enabled=True, blocking=False)  # fmt: skip
    SesRecommendationFactory(region=use1, identity_name="shop.example", description=TEXT)
    user_with_role("ada", "admin")
    return {"shop": shop, "use1": use1}


@pytest.mark.parametrize("width", (1366, 390))
def test_the_identity_page_reads_ses_advice_at_any_width(
    live_server, browser_page, browser_settings, seeded, width
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, base, "ada")
    page.goto(f"{base}/identities/{seeded['shop'].pk}/")
    card = page.locator("#ses-advice")
    expect(card).to_be_visible()
    expect(card).to_contain_text(TEXT)
    expect(card).to_contain_text("High impact")
    expect(card.locator("#advice-us-east-1")).to_contain_text("1 open recommendation")
    expect(card).to_contain_text("VDM not enabled in eu-west-1")
    assert page.evaluate("document.documentElement.scrollWidth") == width
    card.screenshot(path=str(SCREENSHOTS / f"advice-{width}.png"))


def test_the_grid_cell_is_a_warning_with_ses_text_in_its_popover(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, base, "ada")
    page.goto(f"{base}/")
    row = page.locator("tr", has=page.get_by_role("link", name="shop.example", exact=True))
    badges = row.locator(".badge")
    expect(badges.filter(has_text="Warning")).to_have_count(1)
    expect(badges.filter(has_text="Blocked")).to_have_count(0)
    badges.filter(has_text="Warning").first.click()
    expect(page.get_by_text("SES recommendation:")).to_be_visible()
    expect(page.get_by_text(TEXT, exact=False).first).to_be_visible()
