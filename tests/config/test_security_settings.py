"""Security settings a review expects: login throttling, a strict Content-Security-Policy,
a configurable session lifetime, and the proxy's HTTPS header trusted only when configured.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import user_with_role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def _setting(tmp_path, expression: str, **env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SESOPS_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after shell's auto-import banner


def test_it_trusts_the_proxys_https_header_only_behind_a_proxy(tmp_path):
    assert _setting(tmp_path, "settings.SECURE_PROXY_SSL_HEADER") == "None"
    assert (
        _setting(tmp_path, "settings.SECURE_PROXY_SSL_HEADER", SESOPS_BEHIND_PROXY="true")
        == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_the_session_lifetime_is_configurable(tmp_path):
    assert _setting(tmp_path, "settings.SESSION_COOKIE_AGE") == str(12 * 3600)
    assert _setting(tmp_path, "settings.SESSION_COOKIE_AGE", SESOPS_SESSION_AGE="3600") == "3600"


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script_or_style(client):
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_a_policy_exception():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                # A JSON data block is not executed: the policy allows it.
                hits = [m for m in pattern.finditer(text) if "application/json" not in m.group()]
                found += [f"{path.relative_to(ROOT)}: {what}" for _ in hits]
    assert found == []


@pytest.mark.django_db
def test_login_is_throttled_per_username_and_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user_with_role("ada", "viewer")
    for _ in range(3):
        response = client.post("/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    # Locked: even the right password is refused from this address ...
    response = client.post("/login/", {"username": "ada", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    # ... but ada can still log in from elsewhere: a stranger cannot lock her out.
    response = client.post(
        "/login/", {"username": "ada", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_throttle_keys_on_the_address_the_proxy_saw(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.SESOPS_BEHIND_PROXY = True
    user_with_role("ada", "viewer")
    for _ in range(2):
        # The client forges a left-hand entry; the proxy appends the real peer (right-most).
        client.post(
            "/login/",
            {"username": "ada", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.1.1.{_}, 203.0.113.9",
        )
    response = client.post(
        "/login/",
        {"username": "ada", "password": "pw-for-tests-1"},
        HTTP_X_FORWARDED_FOR="1.1.1.200, 203.0.113.9",
    )
    assert response.status_code == 429
