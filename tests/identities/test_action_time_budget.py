"""Web actions have a time budget: interactive SES calls use short timeouts and one retry
(the sync keeps its patient ones), a region not started in time is "not tried", and when SES
does not answer the user and the audit log are told the outcome is unknown, never that
nothing changed."""

from __future__ import annotations

import time

import pytest

from identities import actions
from identities.models import Identity, RegionalIdentity
from identities.sync.run import sync_region
from regions import ses
from regions.models import Event
from tests.factories import user_with_role
from tests.identities.ses_backends import region_for

pytestmark = pytest.mark.django_db


def _config(client: ses.SesClient):
    return client._boto.v2.meta.config


def test_interactive_clients_have_shorter_timeouts_and_fewer_retries_than_the_sync(
    emulator_backend, monkeypatch
):
    monkeypatch.setattr(ses, "MAX_ATTEMPTS", 5)  # the sync's own value (tests shorten it)
    account = region_for(emulator_backend).account
    patient = _config(ses.client_for(account, "us-east-1"))
    with ses.interactive():
        quick = _config(ses.client_for(account, "us-east-1"))
    assert quick.read_timeout < patient.read_timeout
    assert quick.connect_timeout < patient.connect_timeout
    assert quick.retries["total_max_attempts"] < patient.retries["total_max_attempts"]
    worst = quick.retries["total_max_attempts"] * (quick.read_timeout + quick.connect_timeout)
    assert ses.INTERACTIVE_START_WITHIN + worst < 30  # gunicorn's default timeout


def test_an_unanswered_create_says_the_outcome_is_unknown(emulator_backend, monkeypatch):
    monkeypatch.setattr(ses, "INTERACTIVE_READ_TIMEOUT", 1)
    emulator_backend.add("us-east-1", "ops@example.com")
    sync_region(region_for(emulator_backend, "us-east-1"), trigger="test")
    west = region_for(emulator_backend, "eu-west-1")
    emulator_backend.region_fault("eu-west-1", latency_ms=2500)  # SES acts, but late
    operator = user_with_role("olivia", "operator")
    identity = Identity.objects.get(name="ops@example.com")

    outcome = actions.add_to_regions(
        identity=identity, regions=[west], dkim=actions.DkimChoice(), user=operator
    )

    assert outcome.level == "warning"
    assert outcome.message == (
        "SES did not answer in 1 s (eu-west-1); the next sync shows whether it was created."
    )
    assert "Nothing was changed" not in outcome.message
    event = Event.objects.get(subject="add_to_region", region=west)
    assert "SES did not answer in 1 s; the next sync shows whether it was created" in event.message
    time.sleep(2)  # the emulator finishes the create it was slow to answer
    emulator_backend.region_fault("eu-west-1", latency_ms=0)
    sync_region(west, trigger="test")
    assert RegionalIdentity.objects.get(identity=identity, region=west).present


def test_regions_not_started_within_the_budget_are_not_tried_and_audited(
    world, fake_ses, monkeypatch
):
    monkeypatch.setattr(ses, "INTERACTIVE_START_WITHIN", -1)  # the budget is already spent
    operator = user_with_role("olivia", "operator")
    outcome = actions.add_to_regions(
        identity=world["domain"], regions=[world["euw1"]], dkim=actions.DkimChoice(), user=operator
    )
    assert fake_ses.calls == []
    assert outcome.level == "error"
    assert "not tried: SES was slow" in outcome.items[0].message
    assert Event.objects.filter(subject="add_to_region", result="error").count() == 1
