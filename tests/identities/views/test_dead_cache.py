"""Every action survives a dead cache (Redis down) and a dead broker: a message, never a 500.

The resend cooldown then comes from the audit log, so a double click still sends one email.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from regions.models import Event

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


@pytest.fixture
def dead_cache(world):
    # Its own override, undone before `world` cleans the (live) cache up.
    with override_settings(CACHES=DEAD_REDIS):
        yield


def test_resend_with_the_cache_down_sends_once_and_keeps_the_cooldown(
    operator_client, world, fake_ses, dead_cache
):
    url = f"/identities/{world['address'].pk}/resend-verification/"
    first = operator_client.post(url, HTTP_HX_REQUEST="true")
    second = operator_client.post(url, HTTP_HX_REQUEST="true")
    assert (first.status_code, second.status_code) == (200, 200)
    assert "Verification email sent from eu-west-1" in first.content.decode()
    assert "to protect the mailbox" in second.content.decode()
    assert [c[0] for c in fake_ses.calls] == ["verify_email"]


def test_a_failed_resend_with_the_cache_down_can_be_retried_at_once(
    operator_client, world, fake_ses, dead_cache
):
    url = f"/identities/{world['address'].pk}/resend-verification/"
    fake_ses.error = RuntimeError("SES unreachable")
    assert operator_client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    fake_ses.error = None
    retry = operator_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Verification email sent" in retry
    assert len(fake_ses.calls) == 2


def test_add_and_sync_now_answer_with_the_cache_and_broker_down(
    operator_client, world, fake_ses, queued, dead_cache
):
    queued.broker_up = False
    identity = world["domain"]
    added = operator_client.post(
        f"/identities/{identity.pk}/add-to-regions/",
        {"regions": [world["euw1"].pk], "dkim_mode": "easy"},
        HTTP_HX_REQUEST="true",
    )
    synced = operator_client.post(f"/identities/{identity.pk}/sync/", HTTP_HX_REQUEST="true")
    assert (added.status_code, synced.status_code) == (200, 200)
    assert "task queue is unreachable" in synced.content.decode()
    assert Event.objects.filter(subject="sync_now", result="error").exists()
