"""The alert pages: admins manage channels and rules; everyone with a role reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alerts.models import Alert, Channel, Delivery, Rule
from regions.models import Event
from tests.factories import ChannelFactory, RegionFactory, RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: None)


def test_viewers_see_problems_and_channels_but_cannot_edit(viewer_client):
    ChannelFactory(name="ops-webhook", target="https://hooks.example.org/secret-path")
    page = viewer_client.get(reverse("alerts"))
    assert page.status_code == 200
    assert b"ops-webhook" in page.content
    assert b"secret-path" not in page.content
    assert b"Add a channel" not in page.content
    assert viewer_client.get(reverse("alert_channel_new")).status_code == 403
    assert viewer_client.post(reverse("alert_channel_new"), {}).status_code == 403


def test_admin_adds_a_webhook_channel_with_a_default_rule_and_an_audit_event(
    admin_client_role,
):
    page = admin_client_role.post(
        reverse("alert_channel_new"),
        {
            "name": "ops",
            "type": "webhook",
            "target": "https://hooks.example.org/x",
            "enabled": "on",
        },
    )
    channel = Channel.objects.get(name="ops")
    assert page.status_code == 302 and page.url == reverse("alert_channel", args=[channel.pk])
    assert channel.secret.startswith("whsec_")
    assert list(channel.rules.values_list("min_severity", flat=True)) == ["warning"]
    assert Event.objects.filter(subject="alert channel", actor_name="admin-user").exists()
    detail = admin_client_role.get(page.url)
    assert channel.secret.encode() in detail.content
    assert b"Send a test alert" in detail.content


@pytest.mark.parametrize(
    ("kind", "target", "error"),
    [
        ("email", "ops@example.org, not-an-address", b"is not an email address"),
        ("webhook", "ftp://example.org/x", b"Give an http:// or https:// URL."),
        ("apprise", "nonsense", b"Apprise does not understand this URL."),
    ],
)
def test_bad_targets_get_a_clear_error_and_nothing_is_saved(admin_client_role, kind, target, error):
    page = admin_client_role.post(
        reverse("alert_channel_new"), {"name": "x", "type": kind, "target": target}
    )
    assert page.status_code == 400
    assert error in page.content
    assert not Channel.objects.exists()


def test_admin_edits_a_rule(admin_client_role):
    region = RegionFactory(code="eu-west-1")
    channel = ChannelFactory()
    page = admin_client_role.post(
        reverse("alert_rule_new", args=[channel.pk]),
        {
            "kinds": ["quota", "sending_paused"],
            "accounts": [region.account_id],
            "regions": ["eu-west-1"],
            "min_severity": "critical",
            "send_resolved": "on",
            "realert_minutes": "60",
            "digest_minutes": "15",
            "enabled": "on",
        },
    )
    assert page.status_code == 302
    rule = Rule.objects.get(channel=channel)
    assert rule.kinds == ["quota", "sending_paused"]
    assert rule.regions == ["eu-west-1"]
    assert list(rule.accounts.all()) == [region.account]
    assert (rule.realert_minutes, rule.digest_minutes) == (60, 15)


def test_a_rule_with_a_bad_interval_is_refused(admin_client_role):
    channel = ChannelFactory()
    page = admin_client_role.post(
        reverse("alert_rule_new", args=[channel.pk]),
        {"min_severity": "warning", "realert_minutes": "-5", "digest_minutes": "x"},
    )
    assert page.status_code == 400
    assert not Rule.objects.exists()


def test_send_a_test_alert_queues_one_delivery_and_shows_it_in_the_log(admin_client_role):
    channel = ChannelFactory(name="ops")
    page = admin_client_role.post(reverse("alert_channel_test", args=[channel.pk]))
    delivery = Delivery.objects.get(channel=channel)
    assert page.status_code == 302
    assert delivery.alerts.get().kind == "test"
    log = admin_client_role.get(reverse("alert_deliveries"), {"channel": channel.pk})
    assert b"Test alert from sesops, sent by admin-user" in log.content


def test_delivery_log_filters_and_shows_failures(viewer_client):
    channel = ChannelFactory(name="ops")
    alert = Alert.objects.create(kind="quota", state="firing", severity="warning", text="q!")
    failed = Delivery.objects.create(
        channel=channel,
        status="failed",
        attempts=8,
        last_error="gave up after 8 attempts: HTTP 503",
    )
    failed.alerts.add(alert)
    Delivery.objects.create(channel=channel, status="sent").alerts.add(alert)

    page = viewer_client.get(reverse("alert_deliveries"), {"status": "failed"})
    assert page.content.count(b'<tr id="delivery-') == 1
    assert b"gave up after 8 attempts: HTTP 503" in page.content
    assert b"failed in the last 24 hours" in viewer_client.get(reverse("alerts")).content
    partial = viewer_client.get(reverse("alert_deliveries"), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="delivery-results"' in partial.content


@pytest.mark.parametrize(
    "params",
    [{"status": "nope"}, {"channel": "x"}, {"page": "9999"}, {"channel": "99999999999999999999"}],
)
def test_bad_log_parameters_do_not_fail(viewer_client, params):
    assert viewer_client.get(reverse("alert_deliveries"), params).status_code == 200


def test_admin_deletes_a_rule_and_a_channel(admin_client_role):
    rule = RuleFactory()
    channel = rule.channel
    admin_client_role.post(reverse("alert_rule_delete", args=[channel.pk, rule.pk]))
    assert not Rule.objects.exists()
    admin_client_role.post(reverse("alert_channel_delete", args=[channel.pk]))
    assert not Channel.objects.exists()


def test_writes_need_post(admin_client_role):
    channel = ChannelFactory()
    assert (
        admin_client_role.get(reverse("alert_channel_test", args=[channel.pk])).status_code == 405
    )
