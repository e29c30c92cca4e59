"""Shared world for the identities tests: one account with an address and a domain in some of
its regions (`world`). The fake SES and the fake sync queue are in tests/conftest.py."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from identities.actions import resend_cooldown_key
from identities.models import Identity
from regions.ses_types import IdentitySummary
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)


@pytest.fixture
def ses_one_address(fake_ses):
    """SES with one verified address and no GetAccount (the sync's smallest world)."""
    fake_ses.account = None
    fake_ses.identities = [IdentitySummary("ops@example.com", "EMAIL_ADDRESS", True, "SUCCESS")]
    return fake_ses


@pytest.fixture
def world(db):
    acc = AwsAccountFactory(label="prod")
    use1 = RegionFactory(account=acc, code="us-east-1")
    euw1 = RegionFactory(account=acc, code="eu-west-1")
    apse2 = RegionFactory(account=acc, code="ap-southeast-2")
    address = IdentityFactory(account=acc, name="ops@example.net")
    RegionalIdentityFactory(identity=address, region=use1)
    RegionalIdentityFactory(identity=address, region=euw1, verification_status="FAILED",
                            verified_for_sending=False)  # fmt: skip
    domain = IdentityFactory(account=acc, name="example.com")
    RegionalIdentityFactory(identity=domain, region=use1, dkim_status="SUCCESS",
                            dkim_tokens=["t1", "t2", "t3"], dkim_origin="AWS_SES")  # fmt: skip
    yield {"acc": acc, "use1": use1, "euw1": euw1, "apse2": apse2, "address": address,
           "domain": domain}  # fmt: skip
    # The cooldown lives in the shared cache (Redis in CI): leave nothing behind.
    cache.delete_many(
        [resend_cooldown_key(pk) for pk in Identity.objects.values_list("pk", flat=True)]
    )
