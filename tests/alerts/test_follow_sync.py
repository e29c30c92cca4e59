"""Alerts follow the real sync (against the emulator): the outbox row is written in the
sync's own transaction, and only when SES's answer changed something."""

from __future__ import annotations

import pytest

from alerts.models import Alert, Delivery
from identities.sync.run import sync_region
from regions.models import Region
from tests.factories import RuleFactory
from tests.identities.ses_backends import region_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: None)


def test_a_verification_that_fails_in_ses_reaches_the_outbox_with_the_sync(emulator_backend):
    rule = RuleFactory(kinds=["verification_failed", "identity_blocked"])
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    assert not Delivery.objects.exists()  # PENDING: nothing wrong yet

    emulator_backend.set_status("us-east-1", "ops@example.com", "FAILED")
    sync_region(region, trigger="test")
    sync_region(region, trigger="test")  # nothing changed: no news

    texts = sorted(
        a.text for d in Delivery.objects.filter(channel=rule.channel) for a in d.alerts.all()
    )
    assert len(texts) == 2
    assert any(t.startswith("Verification of ops@example.com failed in") for t in texts)
    assert any(t.startswith("ops@example.com cannot send in") for t in texts)

    emulator_backend.set_status("us-east-1", "ops@example.com", "SUCCESS")
    sync_region(region, trigger="test")
    assert sorted(Alert.objects.values_list("state", flat=True)) == [
        "firing",
        "firing",
        "resolved",
        "resolved",
    ]


def test_a_sync_that_rolls_back_leaves_no_alert(emulator_backend, monkeypatch):
    RuleFactory()
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    emulator_backend.set_status("us-east-1", "ops@example.com", "FAILED")

    real_save = Region.save

    def fail_after_events(self, *args, **kwargs):
        # Region.save runs after apply_snapshot wrote the events (and alerts their rows).
        assert Alert.objects.exists(), "the alert should be written before the failure"
        raise RuntimeError("the sync's transaction fails after its events were written")

    monkeypatch.setattr(Region, "save", fail_after_events)
    with pytest.raises(RuntimeError, match="fails after its events"):
        sync_region(region, trigger="test")
    monkeypatch.setattr(Region, "save", real_save)
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()
