"""The send check over the database: the classic case end to end, lookups, bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities.sendcheck.selectors import (
    InvalidAddress,
    UnknownAccount,
    UnknownRegion,
    resolve_account,
    send_check,
)
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    account = AwsAccountFactory(label="main")
    sandbox = RegionFactory(
        account=account, code="us-east-1", production_access_enabled=False, max_24_hour_send=200
    )
    prod = RegionFactory(account=account, code="eu-west-1", production_access_enabled=True)
    admin = IdentityFactory(account=account, name="admin@mydomain.example")
    for region in (sandbox, prod):
        RegionalIdentityFactory(identity=admin, region=region)
    return account


def test_classic_case_rejected_in_the_sandbox_with_ses_text(world) -> None:
    result = send_check(world, "us-east-1", "admin@mydomain.example", ["someone@example.com"])
    assert not result.accepted
    assert result.error == (
        "MessageRejected: Email address is not verified. The following identities failed the "
        "check in region US-EAST-1: someone@example.com"
    )


def test_same_send_from_the_production_region_is_accepted(world) -> None:
    result = send_check(world, "eu-west-1", "admin@mydomain.example", ["someone@example.com"])
    assert result.accepted


def test_address_under_a_verified_domain_is_accepted(world) -> None:
    domain = IdentityFactory(account=world, name="verified.example")
    RegionalIdentityFactory(identity=domain, region=world.regions.get(code="us-east-1"))
    result = send_check(
        world, "us-east-1", "Billing <billing@Verified.example>", "admin@mydomain.example"
    )
    assert result.accepted, result.reasons


def test_identities_of_another_region_or_account_do_not_count(world) -> None:
    other = AwsAccountFactory(label="other")
    region = RegionFactory(account=other, code="us-east-1", production_access_enabled=True)
    RegionalIdentityFactory(
        identity=IdentityFactory(account=other, name="x@other.example"), region=region
    )
    assert not send_check(world, "eu-west-1", "x@other.example", ["a@b.example"]).accepted


def test_a_gone_identity_does_not_verify(world) -> None:
    ri = world.regions.get(code="eu-west-1").regional_identities.get()
    ri.present = False
    ri.save()
    assert not send_check(world, "eu-west-1", "admin@mydomain.example", ["a@b.example"]).accepted


def test_query_count_does_not_grow_with_recipients(world) -> None:
    with CaptureQueriesContext(connection) as one:
        send_check(world, "us-east-1", "admin@mydomain.example", ["a@b.example"])
    with CaptureQueriesContext(connection) as many:
        send_check(
            world, "us-east-1", "admin@mydomain.example", [f"r{i}@b.example" for i in range(30)]
        )
    assert len(one) == len(many) <= 3


def test_bad_input_raises_readable_errors(world) -> None:
    with pytest.raises(InvalidAddress, match="'nope' is not a valid email address"):
        send_check(world, "us-east-1", "nope", ["a@b.example"])
    with pytest.raises(InvalidAddress):
        send_check(world, "us-east-1", "admin@mydomain.example", " , ")
    with pytest.raises(UnknownRegion, match="Unknown region 'mars-1' for account main"):
        send_check(world, "mars-1", "admin@mydomain.example", ["a@b.example"])


def test_resolve_account(world) -> None:
    assert resolve_account(None) == world
    assert resolve_account("main") == world
    with pytest.raises(UnknownAccount, match="Unknown account 'nope'"):
        resolve_account("nope")
    AwsAccountFactory(label="second")
    with pytest.raises(UnknownAccount, match="Several accounts"):
        resolve_account(None)


def test_resolve_account_with_none_configured() -> None:
    with pytest.raises(UnknownAccount, match="No AWS account"):
        resolve_account(None)


def test_stored_address_identities_match_case_sensitively_and_domains_at_any_depth(world):
    east = world.regions.get(code="eu-west-1")
    RegionalIdentityFactory(
        identity=IdentityFactory(account=world, name="Sender@Mixed.example"), region=east
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=world, name="corp.example"), region=east
    )
    assert send_check(world, "eu-west-1", "Sender@MIXED.example", "x@y.example").accepted
    typed_lower = send_check(world, "eu-west-1", "sender@mixed.example", "x@y.example")
    assert typed_lower.message.endswith("region EU-WEST-1: sender@mixed.example")
    assert send_check(world, "eu-west-1", "noreply@a.b.corp.example", "x@y.example").accepted


def test_a_return_path_is_checked_with_the_sender(world):
    result = send_check(
        world,
        "eu-west-1",
        "admin@mydomain.example",
        "x@y.example",
        return_path="bounces@elsewhere.example",
    )
    assert result.message.endswith("region EU-WEST-1: bounces@elsewhere.example")
    assert send_check(
        world,
        "eu-west-1",
        "admin@mydomain.example",
        "x@y.example",
        return_path="admin+bounces@mydomain.example",
    ).accepted
