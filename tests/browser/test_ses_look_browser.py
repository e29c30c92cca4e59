"""The identity page's "SES's view" line (the serial SES saw against the serial served now)
reads in one block beside each region's DNS records and never overflows, at 1366 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", (1366, 390))
def test_ses_view_lines_fit_and_say_the_verdict(live_server, browser_page, browser_settings,
                                                 width):  # fmt: skip
    data = seed_dashboard()
    user_with_role("ada", "admin")
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, "ada")
    page.goto(f"{base}/identities/{data['example'].pk}/")
    lines = page.locator(".ses-look")
    expect(lines).to_have_count(3)
    expect(lines.nth(1)).to_contain_text("SES had not looked since the zone changed")
    expect(lines.nth(2)).to_contain_text("SES has looked since the zone last changed.")
    for i in range(3):
        line = lines.nth(i)
        assert line.evaluate("e => e.scrollWidth <= e.clientWidth")
        line.screenshot(path=str(SCREENSHOTS / f"ses-look-{i}-{width}.png"))
