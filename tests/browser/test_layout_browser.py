"""Layout in Chromium: at 1366 px the pages never scroll sideways, even with 32-character DKIM
tokens in the DNS table and the history, and the regions table (with a "review denied" badge
and its admin actions) fits its card.
"""

from __future__ import annotations

import pytest

from identities.models import DnsCheck, RegionalIdentity
from regions.models import Event, Region
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.seed import seed_dashboard
from tests.factories import DnsCheckFactory, EventFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TOKEN = "ubwxiv3ltjvolzczt4bqkhkuoxrq6y7v"  # SES's DKIM tokens are 32 characters


@pytest.fixture
def seeded(transactional_db):
    data = seed_dashboard()
    user_with_role("ada", "admin")
    ri = RegionalIdentity.objects.get(identity=data["example"], region__code="us-east-1")
    name = f"{LONG_TOKEN}._domainkey.example.com"
    answer = {"status": "ok", "rtype": "CNAME", "values": [f"{LONG_TOKEN}.dkim.amazonses.com"]}
    DnsCheckFactory(
        regional_identity=ri,
        name=name,
        expected=f"{LONG_TOKEN}.dkim.amazonses.com",
        verdict=DnsCheck.Verdict.MISSING,
        diagnosis="The DKIM CNAMEs of eu-west-1 are published, but each region has its own tokens.",
        answers={
            "ns-1234.awsdns-56.org": {**answer, "ttl": 300},
            "ns-789.awsdns-01.co.uk": {"status": "nxdomain", "detail": "lame " * 12},
        },
    )
    EventFactory(
        account=data["prod"],
        region=ri.region,
        identity_name="example.com",
        subject="dns dkim CNAME",
        kind=Event.Kind.STATUS,
        message=f"command · {name}: the DKIM CNAMEs of eu-west-1 are published " * 2,
    )
    Region.objects.filter(pk=data["regions"][1].pk).update(review_status="DENIED")
    return data


def _log_in(page, base: str) -> None:
    log_in(page, base, "ada")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_scrolls_sideways_at_1366_px(live_server, browser_page, browser_settings, seeded):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _log_in(page, base)
    for path in ("/", "/regions/", f"/identities/{seeded['example'].pk}/",
                 f"/identities/{seeded['alerts'].pk}/"):  # fmt: skip
        page.goto(f"{base}{path}")
        assert _page_width(page) <= 1366, path
    # The domain page: the long DNS row is there, inside the card.
    page.goto(f"{base}/identities/{seeded['example'].pk}/")
    page.screenshot(path=str(SCREENSHOTS / "identity-domain-1366.png"), full_page=True)
    card = page.locator("#dns-records").bounding_box()
    assert card["x"] + card["width"] <= 1366
    assert LONG_TOKEN in page.inner_text("#dns-records table.dns-table")


@pytest.mark.parametrize("width", [1366, 1440])
def test_regions_table_fits_its_card_with_its_actions(
    live_server, browser_page, browser_settings, seeded, width
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, base)
    page.goto(f"{base}/regions/")
    table = page.locator("#regions-table").bounding_box()
    button = page.get_by_role("link", name="Request production access").first.bounding_box()
    assert button["x"] + button["width"] <= table["x"] + table["width"]
    assert "Review denied" in page.inner_text("#regions-table")
    wrap = page.locator(".card.table-wrap").first
    page.screenshot(path=str(SCREENSHOTS / f"regions-{width}.png"), full_page=True)
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
