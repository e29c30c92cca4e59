"""The production-access request history in Chromium: each review decision SES gave a
request, in order, with the request's latest decision; no sideways scroll at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from regions.models import ProductionAccessRequest, ReviewDecision
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _request(region, hours_ago: int, case_id: str, decisions: list[tuple[str, int]]):
    now = timezone.now()
    request = ProductionAccessRequest.objects.create(
        region=region,
        mail_type="TRANSACTIONAL",
        website_url="https://www.example.com",
        outcome="submitted",
        ses_message=f"SES accepted the request; the review is PENDING (case {case_id}).",
        submitted_at=now - timedelta(hours=hours_ago),
    )
    for status, ago in decisions:
        ReviewDecision.objects.create(
            region=region, request=request, status=status, case_id=case_id,
            observed_at=now - timedelta(hours=ago), source="sync",
        )  # fmt: skip
    ProductionAccessRequest.objects.filter(pk=request.pk).update(
        review_status=decisions[-1][0], case_id=case_id
    )
    return request


@pytest.mark.parametrize("width", (1366, 390))
def test_the_history_lists_each_decision_and_fits_the_window(live_server, browser_page,
                                                             browser_settings, width):  # fmt: skip
    data = seed_dashboard()
    user_with_role("ada", "admin")
    region = data["regions"][1]
    denied = _request(region, 72, "17412345678", [("PENDING", 72), ("DENIED", 50)])
    granted = _request(region, 5, "17498765432", [("PENDING", 5), ("GRANTED", 1)])
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, "ada")
    page.goto(f"{base}/regions/{region.pk}/production-access/")
    first = page.locator(f"#request-{denied.pk} .decisions li")
    expect(first).to_have_text([
        "PENDING (case 17412345678) seen " + first.nth(0).locator("time").inner_text(),
        "DENIED (case 17412345678) seen " + first.nth(1).locator("time").inner_text(),
    ])  # fmt: skip
    expect(page.locator(f"#request-{denied.pk} .latest-decision")).to_contain_text("Review denied")
    expect(page.locator(f"#request-{granted.pk} .latest-decision")).to_contain_text(
        "Review granted"
    )
    assert page.evaluate("document.documentElement.scrollWidth") == width
    page.locator("#history").screenshot(path=str(SCREENSHOTS / f"review-history-{width}.png"))
