"""A small world for the API tests (two regions, a domain with DNS checks, addresses) and
tokens for each role."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from api.tokens import token_create
from regions.models import Event
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    user_with_role,
)

# SES faked at the chokepoint (fake_ses) and the sync queue faked (queued): tests/conftest.py.


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def new_token(user, scope: str = ApiToken.Scope.READ) -> str:
    return token_create(user=user, name=f"{user.username}-{scope}", scope=scope).secret


@pytest.fixture
def world(db):
    account = AwsAccountFactory(label="main")
    sandbox = RegionFactory(account=account, code="us-east-1", production_access_enabled=False)
    prod = RegionFactory(account=account, code="eu-west-1", production_access_enabled=True)
    domain = IdentityFactory(account=account, name="example.com")
    ok = IdentityFactory(account=account, name="admin@example.com")
    pending = IdentityFactory(account=account, name="new@other.example")
    dri = RegionalIdentityFactory(
        identity=domain, region=prod, dkim_status="SUCCESS", dkim_tokens=["tok1"]
    )
    DnsCheckFactory(
        regional_identity=dri,
        name="tok1._domainkey.example.com",
        expected="tok1.dkim.amazonses.com",
        verdict="missing",
        diagnosis="No CNAME at this name.",
        answers={"ns1.example.net": {"address": "192.0.2.1", "status": "nxdomain"}},
    )
    RegionalIdentityFactory(identity=ok, region=sandbox)
    RegionalIdentityFactory(identity=ok, region=prod)
    RegionalIdentityFactory(
        identity=pending, region=prod, verification_status="PENDING", verified_for_sending=False
    )
    for n in range(3):
        EventFactory(
            kind=Event.Kind.STATUS,
            account=account,
            region=prod,
            identity_name="new@other.example",
            subject="verification_status",
            before="",
            after=f"PENDING{n}",
        )
    return {"account": account, "sandbox": sandbox, "prod": prod, "domain": domain,
            "ok": ok, "pending": pending}  # fmt: skip


@pytest.fixture
def viewer_token(viewer) -> str:
    return new_token(viewer)


@pytest.fixture
def operator_token(operator) -> str:
    return new_token(operator, ApiToken.Scope.OPERATE)


@pytest.fixture
def no_role_token(db) -> str:
    return new_token(user_with_role("nobody", None))


@pytest.fixture
def no_resend_cooldown(settings):
    settings.SESOPS_RESEND_COOLDOWN = 0


@pytest.fixture
def probe_settings(settings, dns_server):
    """DNS probes ask the local zone server (tests/dns_zone.py), never the internet."""
    settings.SESOPS_DNS_RESOLVER = f"127.0.0.1:{dns_server.port}"
    settings.SESOPS_DNS_PORT = dns_server.port
    settings.SESOPS_DNS_TIMEOUT = (
        1.5  # generous: a loaded CI machine must not turn answers into timeouts
    )
