"""Phones and narrow windows in Chromium, at 1366 px and 390 px: no page scrolls sideways, the
navigation folds behind a Menu button, the grid scrolls inside its own box with the identity
column in view, a cell's popover behaves (one open, Escape and a click elsewhere close it),
and Back/Forward keep the filter controls true to the URL.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)


@pytest.fixture
def seeded(transactional_db):
    data = seed_dashboard()
    user_with_role("ada", "admin")
    return data


def _log_in(page, base: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, base, "ada")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_window(live_server, browser_page, browser_settings, seeded,
                                          width):  # fmt: skip
    page, base = browser_page, live_server.url
    _log_in(page, base, width)
    paths = {
        "grid": "/",
        "regions": "/regions/",
        "send-check": "/send-check/",
        "activity": "/activity/",
        "domain": f"/identities/{seeded['example'].pk}/",
        "address": f"/identities/{seeded['alerts'].pk}/",
        "production-access": f"/regions/{seeded['regions'][1].pk}/production-access/",
        "admin": "/admin/",
    }
    widths = {}
    for name, path in paths.items():
        page.goto(f"{base}{path}")
        widths[name] = _page_width(page)
        page.screenshot(path=str(SCREENSHOTS / f"responsive-{name}-{width}.png"), full_page=True)
    assert widths == {name: width for name in paths}


def test_the_grid_scrolls_in_its_own_box_with_the_identity_column_in_view(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    _log_in(page, base, 390)
    box = page.locator(".grid-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # 4 regions do not fit 390 px
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    name = page.locator(f"#row-{seeded['alerts'].pk} .identity-name")
    left = name.bounding_box()["x"]
    assert 0 <= left < 40  # still at the left edge, not scrolled away
    assert page.locator("#grid-head th").first.bounding_box()["x"] < 40
    # A long name breaks after "@" and dots, never at its hyphen, inside its column.
    cell = page.locator(f"#row-{seeded['billing'].pk} td.identity-cell")
    assert cell.evaluate("e => e.scrollWidth <= e.clientWidth")
    parts = cell.locator(".name-part")
    assert parts.all_inner_texts() == ["billing@", "acme-payments.", "example"]
    lines = parts.evaluate_all("ps => ps.map(p => p.getClientRects().length)")
    assert lines == [1, 1, 1]  # no part is cut
    tops = parts.evaluate_all("ps => ps.map(p => Math.round(p.getBoundingClientRect().top))")
    assert len(set(tops)) > 1  # the name did wrap (the column is narrow), between parts
    assert _page_width(page) == 390


def test_the_navigation_folds_behind_a_menu_button_on_a_phone(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    _log_in(page, base, 390)
    regions = page.locator(".mainnav").get_by_role("link", name="Regions")
    assert not regions.is_visible()
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert regions.is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    page.keyboard.press("Escape")
    assert not regions.is_visible()
    menu.click()
    regions.click()
    page.wait_for_url(f"{base}/regions/")
    # At 1366 px the links are in the bar, no button.
    page.set_viewport_size({"width": 1366, "height": 800})
    assert page.locator(".mainnav").get_by_role("link", name="Activity").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_one_popover_at_a_time_closed_by_escape_and_a_click_elsewhere(
    live_server, browser_page, browser_settings, seeded, width
):
    page, base = browser_page, live_server.url
    _log_in(page, base, width)
    alerts, billing = seeded["alerts"], seeded["billing"]
    first = page.locator(f"#row-{alerts.pk} td.cell-blocked details")
    second = page.locator(f"#row-{billing.pk} td.cell-blocked details")
    first.locator("summary").click()
    first.locator(".popover .blocker-list").wait_for()
    open_details = page.locator("td.cell details[open]")
    assert open_details.count() == 1
    # The popover fits the grid's box: its text wraps inside it.
    popover = first.locator(".popover")
    assert popover.evaluate("e => e.scrollWidth <= e.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / f"popover-{width}.png"), full_page=True)

    second.locator("summary").click()
    second.locator(".popover .blocker-list").wait_for()
    assert open_details.count() == 1
    assert second.evaluate("e => e.open")

    page.keyboard.press("Escape")
    assert open_details.count() == 0

    first.locator("summary").click()
    assert open_details.count() == 1
    page.locator("h1").click()  # anywhere outside
    assert open_details.count() == 0
    # The cells beneath a closed popover take clicks again.
    second.locator("summary").click()
    assert second.evaluate("e => e.open")


def _kind_domain(url: str) -> bool:
    return "kind=domain" in url and "blocking=1" not in url


def _kind_domain_blocked(url: str) -> bool:
    return "kind=domain" in url and "blocking=1" in url


def test_back_and_forward_keep_the_filter_controls_true_to_the_url(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    _log_in(page, base, 1366)
    rows = "#grid-body tr"
    page.select_option("#f-kind", "domain")
    page.wait_for_url(_kind_domain)
    page.check("#f-blocking")
    page.wait_for_url(_kind_domain_blocked)

    page.go_back()
    page.wait_for_url(_kind_domain)
    assert page.input_value("#f-kind") == "domain"
    assert not page.is_checked("#f-blocking")
    page.go_back()
    page.wait_for_url(f"{base}/")
    assert page.input_value("#f-kind") == ""
    page.go_forward()
    page.wait_for_url(_kind_domain)
    assert page.input_value("#f-kind") == "domain"

    # Ticking "Blocked only" now keeps kind=domain.
    page.check("#f-blocking")
    page.wait_for_url(_kind_domain_blocked)
    # Only domains: every row's kind says so (expect polls; no page-side eval under the CSP).
    expect(page.locator("#grid-body .identity-meta").filter(has_text="address")).to_have_count(0)
    assert page.locator(rows).count() >= 1
