"""/metrics: scraped like Prometheus does and parsed with prometheus-client's own parser."""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from regions.models import SyncRun
from tests.api.conftest import bearer
from tests.factories import SyncRunFactory

pytestmark = pytest.mark.django_db
METRICS_TOKEN = "m" * 32


def scrape(client, **headers) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    out: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            out.setdefault(sample.name, {})[key] = sample.value
    return out


def sample(metrics, name, **labels) -> float:
    return metrics[name][tuple(sorted(labels.items()))]


@pytest.fixture
def runs(world):
    prod = world["prod"]
    SyncRunFactory(region=prod, kind=SyncRun.Kind.SES, calls=7, throttled=2)
    SyncRunFactory(region=prod, kind=SyncRun.Kind.SES, calls=5, throttled=0)
    SyncRunFactory(region=prod, kind=SyncRun.Kind.SES, status=SyncRun.Status.FAILED, calls=1)
    SyncRunFactory(region=prod, kind=SyncRun.Kind.DNS, calls=12)


def test_metrics_read_the_database_at_scrape_time(client, world, runs, settings):
    settings.SESOPS_METRICS_TOKEN = METRICS_TOKEN
    prod = world["prod"]
    prod.last_success_at = timezone.now() - timedelta(seconds=120)
    prod.save()
    m = scrape(client, **bearer(METRICS_TOKEN))
    eu = {"account": "main", "region": "eu-west-1"}
    us = {"account": "main", "region": "us-east-1"}
    assert sample(m, "sesops_identities", **eu, kind="EMAIL_ADDRESS",
                  verification_status="PENDING") == 1  # fmt: skip
    assert sample(m, "sesops_identities", **eu, kind="EMAIL_ADDRESS",
                  verification_status="SUCCESS") == 1  # fmt: skip
    assert sample(m, "sesops_identities", **eu, kind="DOMAIN", verification_status="SUCCESS") == 1
    assert sample(m, "sesops_identities_blocked", **eu) == 1
    assert sample(m, "sesops_identities_blocked", **us) == 0
    assert 120 <= sample(m, "sesops_region_last_sync_success_age_seconds", **eu) < 180
    assert sample(m, "sesops_region_sandbox", **us) == 1
    assert sample(m, "sesops_region_sandbox", **eu) == 0
    assert sample(m, "sesops_ses_calls_total", **eu) == 13
    assert sample(m, "sesops_ses_throttles_total", **eu) == 2
    assert sample(m, "sesops_dns_probe_queries_total", **eu) == 12
    assert sample(m, "sesops_sync_runs_total", **eu, kind="ses", status="succeeded") == 2
    assert sample(m, "sesops_sync_runs_total", **eu, kind="ses", status="failed") == 1
    assert sample(m, "sesops_dns_records", **eu, purpose="dkim", verdict="missing") == 1


def test_a_new_blocker_shows_in_the_next_scrape(client, world, settings):
    settings.SESOPS_METRICS_TOKEN = METRICS_TOKEN
    eu = {"account": "main", "region": "eu-west-1"}
    assert sample(scrape(client, **bearer(METRICS_TOKEN)), "sesops_identities_blocked", **eu) == 1
    world["prod"].sending_enabled = False  # paused: every identity there is blocked
    world["prod"].save()
    assert sample(scrape(client, **bearer(METRICS_TOKEN)), "sesops_identities_blocked", **eu) == 3


def test_an_api_token_of_a_viewer_may_scrape(client, world, viewer_token):
    assert "sesops_identities" in scrape(client, **bearer(viewer_token))


def test_an_allowed_network_may_scrape_without_a_token(client, world, settings):
    settings.SESOPS_METRICS_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]
    assert "sesops_identities_blocked" in scrape(client)


@pytest.mark.parametrize("header", ["", "Bearer wrong-token-wrong-token", "Basic eDp5"])
def test_no_token_and_no_allowed_network_is_refused(client, world, settings, header):
    settings.SESOPS_METRICS_TOKEN = METRICS_TOKEN
    settings.SESOPS_METRICS_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert b"SESOPS_METRICS_TOKEN" in response.content
    assert b"sesops_identities" not in response.content


def test_a_token_of_a_user_without_a_role_may_not_scrape(client, world, no_role_token):
    assert client.get("/metrics", **bearer(no_role_token)).status_code == 401


def test_alert_deliveries_and_open_problems_are_exported(client, world, settings):
    from alerts.models import Channel, Delivery, Problem

    settings.SESOPS_METRICS_TOKEN = METRICS_TOKEN
    hook = Channel.objects.create(name="ops-hook", type="webhook", target="https://h.example/")
    Delivery.objects.create(channel=hook, status="sent", attempts=1)
    Delivery.objects.create(channel=hook, status="sent", attempts=2)
    Delivery.objects.create(channel=hook, status="failed", attempts=8)
    Problem.objects.create(kind="identity_blocked", severity="critical", text="x", key="k1")
    Problem.objects.create(kind="identity_blocked", severity="critical", text="y", key="k2",
                           resolved_at=timezone.now())  # fmt: skip
    m = scrape(client, **bearer(METRICS_TOKEN))
    hook_labels = {"channel": "ops-hook", "type": "webhook"}
    assert sample(m, "sesops_alert_deliveries", **hook_labels, status="sent") == 2
    assert sample(m, "sesops_alert_deliveries", **hook_labels, status="failed") == 1
    assert sample(m, "sesops_alert_delivery_attempts_total", **hook_labels) == 11
    assert sample(m, "sesops_alert_problems_open", kind="identity_blocked") == 1


def test_the_sample_grafana_dashboard_uses_only_exported_metrics(client, world, runs, settings):
    settings.SESOPS_METRICS_TOKEN = METRICS_TOKEN
    from alerts.models import Channel, Delivery

    hook = Channel.objects.create(name="ops-hook", type="webhook", target="https://h.example/")
    Delivery.objects.create(channel=hook, status="failed", attempts=8)
    exported = set(scrape(client, **bearer(METRICS_TOKEN)))
    dashboard = json.loads((settings.BASE_DIR / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {name for e in exprs for name in re.findall(r"sesops_[a-z0-9_]+", e)}
    assert used and used <= exported, used - exported
