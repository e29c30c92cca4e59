from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from alerts.models import Channel

pytestmark = pytest.mark.django_db


def test_it_adds_a_webhook_channel_and_writes_its_secret(tmp_path):
    secret = tmp_path / "secret"
    call_command(
        "alert_channel",
        "--name",
        "demo",
        "--webhook",
        "http://127.0.0.1:8026/hook",
        "--secret-file",
        str(secret),
        "--min-severity",
        "info",
    )
    channel = Channel.objects.get(name="demo")
    assert secret.read_text().strip() == channel.secret
    assert list(channel.rules.values_list("min_severity", flat=True)) == ["info"]
    # Run again (a restarted demo): the receiver's secret is kept, no second rule.
    call_command(
        "alert_channel",
        "--name",
        "demo",
        "--webhook",
        "http://127.0.0.1:8026/hook",
        "--secret-file",
        str(secret),
    )
    assert Channel.objects.get(name="demo").secret == secret.read_text().strip()
    assert channel.rules.count() == 1


def test_it_refuses_a_bad_address():
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("alert_channel", "--name", "x", "--email", "nope")
    assert not Channel.objects.exists()
