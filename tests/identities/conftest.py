"""Shared world for the identities tests: a fake SES at the chokepoint, a fake sync queue,
and one account with an address and a domain in some of its regions (`world`)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from identities import tasks
from identities.actions import resend_cooldown_key
from identities.models import Identity
from regions import ses
from regions.ses_types import IdentityDetails
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)


class FakeSes:
    """Records every call; raises `error` when set."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.error: Exception | None = None

    def client(self, account, region_code: str) -> FakeSes.Client:
        return FakeSes.Client(self, region_code)

    class Client:
        def __init__(self, fake: FakeSes, region: str) -> None:
            self.fake, self.region = fake, region

        def verify_email(self, address: str) -> None:
            self.fake.calls.append(("verify_email", self.region, address))
            if self.fake.error:
                raise self.fake.error

        def create_identity(self, name: str, **kwargs) -> IdentityDetails:
            self.fake.calls.append(("create_identity", self.region, name, kwargs))
            if self.fake.error:
                raise self.fake.error
            domain = "@" not in name
            tokens = tuple(f"{self.region}-{x}" for x in "abc") if domain else ()
            return IdentityDetails(
                name=name,
                kind="DOMAIN" if domain else "EMAIL_ADDRESS",
                verified_for_sending=False,
                dkim_signing_enabled=domain,
                dkim_status="PENDING" if domain else "",
                dkim_tokens=tokens,
                dkim_origin=kwargs.get("dkim_origin") or ("AWS_SES" if domain else ""),
                dkim_signing_zone="dkim.amazonses.com" if domain else "",
            )


@pytest.fixture
def fake_ses(monkeypatch):
    fake = FakeSes()
    monkeypatch.setattr(ses, "client_for", fake.client)
    return fake


class FakeQueue:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.broker_up = True

    def enqueue(self, region, trigger: str) -> bool:
        self.calls.append((region.code, trigger))
        return self.broker_up


@pytest.fixture
def queued(monkeypatch):
    queue = FakeQueue()
    monkeypatch.setattr(tasks, "enqueue_region_sync", queue.enqueue)
    return queue


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
