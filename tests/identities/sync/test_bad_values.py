"""One bad SES value never costs a region its sync: an identity name that cannot be stored is
skipped, an account value that cannot be stored keeps the previous one, both are named in the
run's error, the rest is written (the same on SQLite and PostgreSQL: the values are screened
before the database sees them), and a run that fails anyway still counts its calls."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from identities.models import RegionalIdentity
from identities.sync import apply as sync_apply
from identities.sync.run import sync_region
from regions import ses
from regions.models import SyncRun

pytestmark = pytest.mark.django_db

LONG_NAME = "a" * 321 + "@example.com"


@pytest.fixture
def hostile_ses(monkeypatch):
    """SES answers with a name over 320 characters and an odd GetAccount field."""
    real_call = ses.SesClient._call

    def answer(self, version, operation, **params):
        data = real_call(self, version, operation, **params)
        if operation == "list_email_identities":
            data = {**data, "EmailIdentities": [*data["EmailIdentities"], {
                "IdentityType": "EMAIL_ADDRESS", "IdentityName": LONG_NAME,
                "SendingEnabled": True, "VerificationStatus": "SUCCESS"}]}  # fmt: skip
        if operation == "get_account":
            data = {**data, "EnforcementStatus": "UNDER_REVIEW_" + "X" * 40}
        return data

    monkeypatch.setattr(ses.SesClient, "_call", answer)


def test_a_bad_name_and_a_bad_account_value_are_named_and_the_rest_syncs(
    emulator_backend, hostile_ses
):
    from tests.identities.ses_backends import region_for

    emulator_backend.add("us-east-1", "ops@example.com", "example.com")
    region = region_for(emulator_backend)

    run = sync_region(region, trigger="test")

    names = set(
        RegionalIdentity.objects.filter(region=region).values_list("identity__name", flat=True)
    )
    assert names == {"ops@example.com", "example.com"}
    assert run.status == SyncRun.Status.PARTIAL
    assert "skipped identity 'aaaa" in run.error and "is 333 characters" in run.error
    assert "GetAccount: enforcement_status is 53 characters" in run.error
    assert run.identities == 2 and run.calls > 0
    region.refresh_from_db()
    assert region.enforcement_status == ""  # kept what it had (nothing yet)
    assert region.production_access_enabled is True  # the rest of GetAccount was written
    assert region.last_sync_error == "" and not region.is_stale()


def test_a_nul_byte_in_an_identity_field_keeps_its_previous_value():
    from identities.sync import screen

    state = {"dkim_origin": "AWS_SES\x00", "verification_status": "SUCCESS"}
    problems = screen.regional_state("example.com", state)
    assert state == {"verification_status": "SUCCESS"}
    assert problems == [
        "identity 'example.com': dkim_origin contains a NUL byte; kept the previous value"
    ]


def test_a_run_that_fails_in_the_database_still_counts_its_calls(emulator_backend, monkeypatch):
    from tests.identities.ses_backends import region_for

    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(sync_apply, "apply_snapshot", broken)
    with pytest.raises(DatabaseError):
        sync_region(region, trigger="test")
    run = SyncRun.objects.get(region=region)
    assert run.status == SyncRun.Status.FAILED and "disk full" in run.error
    assert run.calls > 0
