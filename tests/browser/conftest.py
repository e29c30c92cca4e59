"""Browser tests: Debian's Chromium driven by Playwright (it cannot download its own here).

A missing Chromium fails the test with a clear message; it is never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then refuse the
# ORM calls the tests make (seeding data, logging in). Nothing here is truly async.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Test runs write their screenshots here (not into docs/: a test run must not edit the
# repository); `SESOPS_SCREENSHOT_DIR=docs/screenshots make test` refreshes the README's.
SCREENSHOTS = Path(
    os.environ.get("SESOPS_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "var" / "screenshots"
).resolve()
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_chromium) -> Iterator[object]:
    """A fresh page in its own context (no cookies shared between tests)."""
    context = _chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# What the plain-http live server needs: no https redirect and no https-only cookies.
PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 0,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


@pytest.fixture(scope="session")
def _plain_http_server() -> Iterator[None]:
    # Django's SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the live server builds
    # its handler (at session scope, before any function-scoped `settings` override), so the
    # values must be in place before the server starts.
    from django.conf import settings

    saved = {name: getattr(settings, name) for name in PLAIN_HTTP}
    for name, value in PLAIN_HTTP.items():
        setattr(settings, name, value)
    yield
    for name, value in saved.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def live_server(_plain_http_server, live_server):
    """pytest-django's live server, started after the plain-http settings are in place."""
    return live_server


@pytest.fixture
def browser_settings(settings):
    """Per-test view of the same plain-http settings (cookies are read per request)."""
    for name, value in PLAIN_HTTP.items():
        setattr(settings, name, value)
    return settings


def log_in(page, base: str, username: str, password: str = "pw-for-tests-1") -> None:
    """Log in through the login form (the factories' users share one password)."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
