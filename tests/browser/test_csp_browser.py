"""The Content-Security-Policy in Chromium: every page (and the Django admin) renders and its
htmx interactions run with no script, style or image blocked by the policy.
"""

from __future__ import annotations

import pytest

from identities.models import Identity
from tests.browser.seed import seed_dashboard
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/", "/regions/", "/send-check/", "/activity/", "/alerts/", "/account/tokens/", "/api/v1/docs",
    "/admin/", "/admin/regions/event/",
]  # fmt: skip


def test_no_page_violates_the_content_security_policy(live_server, browser_page, browser_settings):
    data = seed_dashboard()
    user = user_with_role("ada", "admin")
    user.is_superuser = user.is_staff = True  # the admin pages are checked too
    user.save()
    page = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text[:90]}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    example = Identity.objects.get(pk=data["example"].pk)
    for path in [*PAGES, f"/identities/{example.pk}/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title() for k in response.headers}, path
    # htmx swaps: open a grid cell's blockers and run a send check.
    page.goto(f"{live_server.url}/")
    page.locator("td.cell details summary").first.click()
    page.wait_for_timeout(300)
    page.goto(f"{live_server.url}/send-check/")
    page.fill("input[name=sender]", "ops@example.com")
    page.fill("[name=recipients]", "someone@example.org")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_timeout(500)
    assert violations == []
