"""Publish to Route 53 in Chromium, against the emulator's SES, Route 53 and DNS server.

Identity page -> "Publish to Route 53" -> preview (three DKIM CNAMEs to create, ticked; a
doubled-zone record to remove, unticked) -> untick one -> apply -> the progress page polls
until the change is in sync and the domain probed again. Saves publish-preview.png and
publish-result.png (1366 px) and publish-preview-narrow.png (390 px).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.testing import run_emulator
from identities import tasks
from identities.dns import publish as publish_service
from identities.dns.service import probe_all
from identities.models import DnsPublish, Identity
from identities.sync.run import sync_region
from regions.models import AwsAccount, Region
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.route53_env import clear_clients, use_emulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ACCOUNT, KEY = "444444444444", "AKIABROWSERPUBLISH01"
NS = {"ns1.dns.example": "127.0.0.2", "ns2.dns.example": "127.0.0.3"}


@pytest.fixture
def world(monkeypatch, settings, tmp_path) -> Iterator:
    data = {
        "route53_insync_seconds": 0,
        "zones": [
            {
                "origin": "shop.example",
                "nameservers": NS,
                "hosted_zone": {"account": ACCOUNT},
                "records": [],
            }
        ],
        "accounts": [
            {
                "id": ACCOUNT,
                "access_keys": [KEY],
                "regions": {
                    "eu-west-1": {"production": True, "identities": [{"name": "shop.example"}]}
                },
            }
        ],
    }
    with run_emulator(data, dns_port=0) as emu:
        use_emulator(
            emu, access_key=KEY, monkeypatch=monkeypatch, settings=settings, tmp_path=tmp_path
        )
        region = Region.objects.create(
            account=AwsAccount.objects.create(label="prod", account_id=ACCOUNT), code="eu-west-1"
        )
        sync_region(region, trigger="test")
        tokens = Identity.objects.get(name="shop.example").regional.get().dkim_tokens
        # A record published under the zone name appended twice: the planner offers to remove it.
        emu.store.add_record(
            f"{tokens[0]}._domainkey.shop.example.shop.example",
            "CNAME",
            f"{tokens[0]}.dkim.amazonses.com",
        )
        probe_all(trigger="test")
        queued: list[int] = []
        # No worker here: the test runs the follow-up itself, as the worker would.
        monkeypatch.setattr(tasks, "queue_follow_publish", queued.append)
        yield emu, queued
    clear_clients()


def test_preview_tick_apply_and_follow_to_the_result(
    world, live_server, browser_page, browser_settings, operator
):
    emu, queued = world
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, operator.username)
    identity = Identity.objects.get(name="shop.example")

    page.goto(f"{live_server.url}/identities/{identity.pk}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#dns-records").screenshot(path=str(SCREENSHOTS / "publish-button.png"))
    page.get_by_role("link", name="Publish to Route 53").click()
    page.wait_for_selector("#publish-plan")
    assert "delegated" in page.locator("#publish-zone").inner_text()
    rows = page.locator("#publish-plan tbody tr")
    kinds = [rows.nth(i).get_attribute("data-kind") for i in range(rows.count())]
    assert sorted(kinds) == ["create"] * 4 + ["remove"]  # 3 DKIM CNAMEs, DMARC; the doubled
    removal = page.locator('tr[data-kind="remove"] input[type="checkbox"]')
    assert not removal.is_checked()  # nothing is removed unless ticked
    assert not page.locator('tr[data-purpose="dmarc"] input').is_checked()  # a policy choice
    creates = page.locator('tr[data-kind="create"][data-purpose="dkim"] input[type="checkbox"]')
    assert all(creates.nth(i).is_checked() for i in range(3))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "publish-preview.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "publish-preview-narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    creates.nth(2).uncheck()  # keep one back: only what is ticked is applied
    removal.check()
    page.get_by_role("button", name="Apply ticked changes").click()

    page.wait_for_selector("#publish-status")
    publish = DnsPublish.objects.get()
    assert queued == [publish.pk]
    assert [(c["action"], c["rtype"]) for c in publish.changes] == [
        ("DELETE", "CNAME"),
        ("CREATE", "CNAME"),
        ("CREATE", "CNAME"),
    ]
    assert page.locator("#publish-status").get_attribute("data-status") != "done"
    publish_service.follow_publish(publish_id=publish.pk)  # what the worker does
    page.wait_for_selector('#publish-status[data-status="done"]', timeout=10000)
    text = page.locator("#publish-status").inner_text()
    assert "2 of 3 required records right" in text
    assert page.locator("#publish-status").get_attribute("hx-trigger") is None  # stopped
    page.screenshot(path=str(SCREENSHOTS / "publish-result.png"), full_page=True)
    zone = emu.store.zone_for("shop.example")
    assert not [r for r in zone.records if r.name.endswith(".shop.example.shop.example")]
