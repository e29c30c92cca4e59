"""Email and webhook errors sorted into transient (retried) and permanent (not)."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from alerts.channels import Message, TransportError, webhook
from alerts.channels import email as email_transport
from alerts.models import Alert
from emulator.webhook_sink import run_sink, verify
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
RAISE: list[Exception] = []


class RaisingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise RAISE[0]


def _message(channel) -> Message:
    alert = Alert.objects.create(kind="quota", state="firing", severity="warning", text="q")
    return Message(key="k-1", channel=channel, alerts=[alert], created_at=timezone.now())


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}), True),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError("refused"), False),
    ],
)
def test_smtp_errors_are_sorted(settings, error, permanent):
    settings.EMAIL_BACKEND = f"{__name__}.RaisingBackend"
    RAISE[:] = [error]
    with pytest.raises(TransportError) as caught:
        email_transport.send(_message(ChannelFactory(type="email", target="ops@example.org")))
    assert caught.value.permanent is permanent


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (400, True), (410, True), (429, False), (502, False)]
)
def test_http_answers_are_sorted(status, permanent):
    with run_sink() as sink:
        sink.sink.fail_next, sink.sink.fail_status = 1, status
        with pytest.raises(TransportError) as caught:
            webhook.send(_message(ChannelFactory(target=sink.url)))
    assert caught.value.permanent is permanent
    assert f"HTTP {status}" in str(caught.value)


def test_the_signature_fails_when_the_body_is_changed():
    body = b'{"id":"k-1"}'
    headers = webhook.signed_headers("whsec_c2VjcmV0LWtleS1ieXRlcw==", "k-1", body)
    assert verify("whsec_c2VjcmV0LWtleS1ieXRlcw==", headers, body) == ""
    assert verify("whsec_c2VjcmV0LWtleS1ieXRlcw==", headers, body + b" ") != ""
    old = webhook.signed_headers("whsec_c2VjcmV0LWtleS1ieXRlcw==", "k-1", body, now=1000)
    assert (
        verify("whsec_c2VjcmV0LWtleS1ieXRlcw==", old, body) == "timestamp too old or in the future"
    )
