"""The dashboard in Chromium: log in, filter the grid to blocked identities, open one, resend
its verification email, watch live refresh swap a row, run a send check.

SES is faked at the chokepoint (regions.ses.client_for): the live server runs in this process.
Saves docs/screenshots/grid.png and identity.png (the README shows them).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from identities.actions import resend_cooldown_key
from identities.blockers.flags import refresh_blocking
from identities.models import Identity, RegionalIdentity
from identities.views import grid as views
from tests.browser.conftest import SCREENSHOTS
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(transactional_db):
    # Transactional tests flush the tables between tests, the migration's groups with them.
    for name in ("viewer", "operator", "admin"):
        Group.objects.get_or_create(name=name)
    return user_with_role("olivia", "operator")


@pytest.fixture
def seeded(operator):
    data = seed_dashboard()
    yield data
    cache.delete_many(
        [resend_cooldown_key(pk) for pk in Identity.objects.values_list("pk", flat=True)]
    )


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/")
    assert "/login/" in page.url  # login required
    page.fill("#id_username", "olivia")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_operator_finds_a_blocked_identity_and_resends_its_verification(
    live_server, browser_page, browser_settings, seeded, fake_ses, monkeypatch
):
    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _log_in(page, base)

    assert page.locator("#grid-body tr").count() == 9
    assert "4" in page.inner_text("#grid-counters .is-bad .value")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grid.png"))

    # The reasons, fetched on expand (the grid renders only the badges).
    alerts, billing = seeded["alerts"], seeded["billing"]
    page.click(f"#row-{alerts.pk} td.cell-blocked summary")
    page.wait_for_selector(f"#row-{alerts.pk} td.cell-blocked .popover .blocker-list")
    popover = page.locator(f"#row-{alerts.pk} td.cell-blocked .popover")
    assert "Verification failed" in popover.inner_text()
    assert "Resend the verification email" in popover.inner_text()

    # Live refresh: billing becomes verified in eu-west-1; only its row is swapped (the open
    # popover of another row stays open) and the counters follow, without a reload.
    rows = RegionalIdentity.objects.filter(identity=billing, region__code="eu-west-1")
    rows.update(
        verification_status="SUCCESS",
        verified_for_sending=True,
        sending_enabled=True,
        changed_at=timezone.now(),
    )
    refresh_blocking(rows.values_list("pk", flat=True))  # as the sync does after its writes
    # expect() polls from Python: the CSP forbids the page-side eval of wait_for_function.
    expect(page.locator(f"#row-{billing.pk} td.cell-blocked")).to_have_count(0, timeout=10000)
    assert "Sending" in page.inner_text(f"#row-{billing.pk}")
    assert page.locator(f"#row-{alerts.pk} details[open]").count() == 1
    assert "Verification failed" in popover.inner_text()  # still loaded, not fetched again
    assert "3" in page.inner_text("#grid-counters .is-bad .value")

    # Filter to blocked identities: swapped in place, the URL follows.
    page.check("#f-blocking")
    expect(page.locator("#grid-body tr")).to_have_count(3)
    assert "blocking=1" in page.url
    names = page.locator("#grid-body .identity-name").all_inner_texts()
    assert names == ["alerts@ops.example.net", "news.example.io", "shop.example.org"]
    page.reload()  # the filtered view survives a plain page load
    assert page.locator("#grid-body tr").count() == 3
    assert page.is_checked("#f-blocking")

    # Open the identity page from the grid.
    page.click(f"#row-{alerts.pk} a.identity-name")
    page.wait_for_url(f"{base}/identities/{alerts.pk}/")
    assert "The link expires after 24 hours." in page.inner_text("#walkthrough")
    page.screenshot(path=str(SCREENSHOTS / "identity.png"), full_page=True)

    # Resend: the outcome appears in place; a second click is held back by the cooldown.
    page.click(".action-bar button:has-text('Resend verification')")
    outcome = page.wait_for_selector("#action-result .flash-success")
    assert "Verification email sent from us-east-1" in outcome.inner_text()
    assert fake_ses.ops("verify_email") == [("us-east-1", "alerts@ops.example.net")]
    assert page.url == f"{base}/identities/{alerts.pk}/"
    # The button is greyed out with a countdown; a stale page that posts anyway is refused.
    button = page.locator(".action-bar button:has-text('Resend verification')")
    expect(button).to_be_disabled()
    assert re.search(r"Resend verification in\s+\d", button.inner_text())
    page.evaluate(
        f"htmx.ajax('POST', '/identities/{alerts.pk}/resend-verification/', "
        "{target: '#action-result'})"
    )
    page.wait_for_selector("#action-result .flash-warning")
    assert "to protect the mailbox" in page.inner_text("#action-result")
    assert len(fake_ses.ops("verify_email")) == 1
    page.screenshot(path=str(SCREENSHOTS / "identity-resent.png"))

    # The history shows the action after a reload.
    page.reload()
    assert re.search(r"Verification email resent\s+in us-east-1", page.inner_text("#timeline"))


def test_operator_runs_a_send_check_from_the_dashboard(
    live_server, browser_page, browser_settings, seeded
):
    page, base = browser_page, live_server.url
    _log_in(page, base)
    page.click("nav.mainnav a:has-text('Send check')")
    page.wait_for_url(f"{base}/send-check/")
    page.fill('input[name="sender"]', "admin@mydomain.example")
    page.fill('textarea[name="recipients"]', "someone@example.com")
    page.select_option('select[name="account"]', label="staging")
    page.select_option('select[name="region"]', "us-east-1")
    page.click("#send-check-panel button[type=submit]")
    error = page.wait_for_selector("code.ses-error")
    assert "Email address is not verified" in error.inner_text()
    assert "someone@example.com" in error.inner_text()


def test_operator_adds_a_domain_to_another_region_and_sees_its_records(
    live_server, browser_page, browser_settings, seeded, fake_ses
):
    fake_ses.dkim_tokens = lambda region, name: ("n3wtok1", "n3wtok2", "n3wtok3")
    page, base = browser_page, live_server.url
    _log_in(page, base)
    shop = seeded["shop"]
    page.goto(f"{base}/identities/{shop.pk}/")
    assert "Not an identity in ap-southeast-2" in page.inner_text("#identity-regions")
    page.check("#add-to-regions input[value='easy']")
    page.click("#add-to-regions button[type=submit]")
    page.wait_for_selector("#action-result .flash-success")
    assert fake_ses.ops("create_identity") == [("ap-southeast-2", "shop.example.org", {})]
    result = page.inner_text("#action-result")
    assert "n3wtok1._domainkey.shop.example.org" in result
    assert "n3wtok1.dkim.amazonses.com" in result
    # The regions table was swapped in place: the new region is there, pending.
    expect(page.locator("#identity-regions")).not_to_contain_text(
        "Not an identity in ap-southeast-2"
    )
    assert page.url == f"{base}/identities/{shop.pk}/"
    assert "ap-southeast-2" not in page.inner_text("#add-to-regions")  # form refreshed too
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "identity-add-region.png"), full_page=True)


def test_a_refused_htmx_request_is_explained_in_place(
    live_server, browser_page, browser_settings, seeded, fake_ses
):
    user_with_role("vera", "viewer")
    page, base = browser_page, live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "vera")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    alerts = seeded["alerts"]
    page.goto(f"{base}/identities/{alerts.pk}/")
    assert page.is_disabled(".action-bar button:has-text('Resend verification')")
    # Forced through anyway (as a stale page or a crafted request would): 403, said in place.
    page.evaluate(
        f"htmx.ajax('POST', '/identities/{alerts.pk}/resend-verification/', "
        "{target: '#action-result'})"
    )
    error = page.wait_for_selector("#htmx-error:not([hidden])")
    assert "Not allowed" in error.inner_text()
    assert fake_ses.ops("verify_email") == []
