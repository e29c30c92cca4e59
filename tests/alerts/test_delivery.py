"""The outbox to a real local HTTP receiver: signature verified there, retries with backoff,
permanent failures, leases, de-duplication by idempotency key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.delivery import backoff, claim, deliver
from alerts.models import Alert, Delivery
from alerts.routing import route
from emulator.webhook_sink import run_sink
from tests.factories import ChannelFactory, RegionFactory, RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink():
    with run_sink(secret="whsec_" + "c2Vzb3BzLXRlc3Qtc2VjcmV0LWtleQ==") as server:
        yield server


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Workers are not this module's subject (tests/integration runs real ones).
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: None)
    monkeypatch.setattr("alerts.tasks.deliver_task.apply_async", lambda *a, **k: None)


def _pending(channel, text="x.example cannot send in prod/us-east-1: DKIM failed"):
    region = RegionFactory()
    alert = Alert.objects.create(
        kind="identity_blocked",
        state="firing",
        severity="critical",
        text=text,
        link="/identities/1/",
        account=region.account,
        region=region,
        identity_name="x.example",
    )
    RuleFactory(channel=channel)
    (delivery,) = route([alert], now=timezone.now())
    return delivery


def test_the_receiver_gets_a_signed_json_body_it_verifies(sink, settings):
    settings.SESOPS_BASE_URL = "https://sesops.example.org"
    channel = ChannelFactory(target=sink.url, secret=sink.sink.secret)
    delivery = _pending(channel)

    assert deliver(delivery.pk) == "sent"

    data = sink.sink.snapshot()
    assert [r["valid"] for r in data["receipts"]] == [True]
    (got,) = data["unique"]
    assert got["id"] == str(delivery.key)
    (alert,) = got["body"]["alerts"]
    assert alert["severity"] == "critical"
    assert alert["url"] == "https://sesops.example.org/identities/1/"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response) == ("sent", 1, "HTTP 200")


def test_a_wrong_secret_is_refused_by_the_receiver_and_not_retried(sink):
    channel = ChannelFactory(target=sink.url, secret="whsec_d3Jvbmc=")
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "HTTP 401" in delivery.last_error
    assert delivery.last_error.startswith("permanent error")
    assert sink.sink.snapshot()["unique"] == []


def test_a_transient_error_is_retried_with_backoff_under_the_same_key(sink, settings):
    settings.SESOPS_ALERT_RETRY_BASE = 10
    channel = ChannelFactory(target=sink.url, secret=sink.sink.secret)
    delivery = _pending(channel)
    sink.sink.fail_next = 1

    before = timezone.now()
    assert deliver(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert "HTTP 503" in delivery.last_error
    assert delivery.due_at >= before + timedelta(seconds=10)
    # Not due yet: nobody may send it.
    assert deliver(delivery.pk) == "skipped"

    assert deliver(delivery.pk, now=delivery.due_at) == "sent"
    receipts = sink.sink.snapshot()["receipts"]
    assert [r["id"] for r in receipts] == [str(delivery.key)] * 2


def test_after_the_last_attempt_the_failure_is_visible(sink, settings):
    settings.SESOPS_ALERT_MAX_ATTEMPTS = 2
    channel = ChannelFactory(target=sink.url, secret=sink.sink.secret)
    delivery = _pending(channel)
    sink.sink.fail_next = 5
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert deliver(delivery.pk, now=delivery.due_at) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith("gave up after 2 attempts: HTTP 503")


def test_an_unreachable_receiver_is_transient():
    channel = ChannelFactory(target="http://127.0.0.1:9/hook")
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert "cannot connect" in delivery.last_error


def test_a_claimed_row_is_not_sent_twice_until_its_lease_expires(settings):
    settings.SESOPS_ALERT_LEASE = 60
    delivery = _pending(ChannelFactory())
    now = timezone.now()
    assert claim(delivery.pk, now) is not None
    assert claim(delivery.pk, now + timedelta(seconds=59)) is None
    again = claim(delivery.pk, now + timedelta(seconds=61))  # the first worker died
    assert again is not None and again.attempts == 2


def test_a_resend_after_a_lost_answer_is_dropped_by_the_receiver(sink, settings):
    channel = ChannelFactory(target=sink.url, secret=sink.sink.secret)
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "sent"
    # The worker died before recording the answer: the row is sent again, same key.
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert deliver(delivery.pk) == "sent"
    data = sink.sink.snapshot()
    assert len(data["receipts"]) == 2
    assert len(data["unique"]) == 1
    assert data["receipts"][1]["duplicate"] is True


def test_backoff_doubles_and_is_capped(settings):
    settings.SESOPS_ALERT_RETRY_BASE = 10
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert backoff(30).total_seconds() == 3600


def test_email_channel_uses_the_idempotency_key_as_message_id(mailoutbox):
    channel = ChannelFactory(type="email", target="ops@example.org, oncall@example.org")
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "sent"
    (mail,) = mailoutbox
    assert mail.to == ["ops@example.org", "oncall@example.org"]
    assert mail.extra_headers["Message-ID"] == f"<{delivery.key}@sesops>"
    assert mail.subject.startswith("[sesops] CRITICAL: x.example cannot send")


def test_apprise_channel_posts_through_apprise(sink):
    # Apprise's json:// service posts a JSON body: the sink (no secret) takes it.
    sink.sink.secret = ""
    port = sink.server_address[1]
    channel = ChannelFactory(type="apprise", target=f"json://127.0.0.1:{port}/hook")
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "sent"
    (receipt,) = sink.sink.snapshot()["receipts"]
    assert receipt["valid"]


def test_apprise_rejects_what_it_cannot_parse():
    channel = ChannelFactory(type="apprise", target="nonsense-without-scheme")
    delivery = _pending(channel)
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "Apprise does not understand" in delivery.last_error
