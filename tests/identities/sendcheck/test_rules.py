"""The pure send check: SES's rules and its exact error texts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identities.blockers.engine import IdentityState, RegionState
from identities.sendcheck.rules import (
    PAUSED_TEXT,
    InvalidAddress,
    check_send,
    given_address,
    is_simulator,
    split_recipients,
)

PROD = RegionState(
    account_label="main",
    code="us-east-1",
    production_access_enabled=True,
    sending_enabled=True,
    enforcement_status="HEALTHY",
    max_24_hour_send=50000.0,
    sent_last_24_hours=0.0,
    stale=False,
    last_error="",
)
SANDBOX = replace(PROD, production_access_enabled=False, max_24_hour_send=200.0)


def ident(name: str, verified: bool = True, **kw: object) -> IdentityState:
    return IdentityState(
        name=name,
        kind="EMAIL_ADDRESS" if "@" in name else "DOMAIN",
        present=True,
        verification_status="SUCCESS" if verified else "PENDING",
        verified_for_sending=verified,
        sending_enabled=verified,
        **kw,  # type: ignore[arg-type]
    )


ADMIN = {"admin@mydomain.example": ident("admin@mydomain.example")}


def check(sender: str, to: list[str], region: RegionState, ids: dict[str, IdentityState]):
    return check_send(sender=sender, recipients=to, region=region, identities=ids)


def test_classic_sandbox_rejects_an_unverified_recipient_with_ses_text() -> None:
    result = check("admin@mydomain.example", ["someone@example.com"], SANDBOX, ADMIN)
    assert result.accepted is False
    assert result.error_code == "MessageRejected"
    assert result.message == (
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: someone@example.com"
    )
    assert result.error.startswith("MessageRejected: Email address is not verified.")
    assert any("sandbox" in r for r in result.reasons)
    assert result.fixes == [
        "Request production access for us-east-1 so that any recipient is allowed.",
        "Until then, verify someone@example.com in us-east-1, or test with "
        "success@simulator.amazonses.com.",
    ]


def test_the_same_send_from_a_production_region_is_accepted() -> None:
    result = check("admin@mydomain.example", ["someone@example.com"], PROD, ADMIN)
    assert result.accepted is True
    assert (result.error_code, result.message, result.error) == ("", "", "")
    assert result.reasons[-1] == "SES would accept this message."
    assert result.fixes == []


def test_an_address_under_a_verified_domain_may_send() -> None:
    ids = {"mydomain.example": ident("mydomain.example")}
    result = check("billing@mydomain.example", ["a@example.com"], PROD, ids)
    assert result.accepted is True
    assert any("through the identity mydomain.example" in r for r in result.reasons)


def test_a_recipient_under_a_verified_domain_passes_the_sandbox() -> None:
    ids = {**ADMIN, "example.com": ident("example.com")}
    assert check("admin@mydomain.example", ["anyone@example.com"], SANDBOX, ids).accepted


def test_unverified_sender_is_named_and_all_failing_recipients_follow() -> None:
    result = check("nobody@nowhere.example", ["a@b.example", "c@d.example"], SANDBOX, {})
    assert result.message.endswith("US-EAST-1: nobody@nowhere.example, a@b.example, c@d.example")


def test_unverified_sender_in_production_names_only_the_sender() -> None:
    pending = {"nobody@nowhere.example": ident("nobody@nowhere.example", verified=False)}
    result = check("nobody@nowhere.example", ["a@b.example"], PROD, pending)
    assert result.message.endswith("region US-EAST-1: nobody@nowhere.example")
    assert len(result.fixes) == 1
    assert result.fixes[0].startswith("Verify nobody@nowhere.example in us-east-1")
    assert any("not verified (pending)" in r for r in result.reasons)


def test_a_long_list_ends_with_an_ellipsis() -> None:
    to = [f"r{i}@x.example" for i in range(12)]
    result = check("admin@mydomain.example", to, SANDBOX, ADMIN)
    assert result.message.endswith("r9@x.example, ...")


@pytest.mark.parametrize(
    "address",
    [
        "success@simulator.amazonses.com",
        "bounce@simulator.amazonses.com",
        "ooto@simulator.amazonses.com",
        "complaint@simulator.amazonses.com",
        "suppressionlist@simulator.amazonses.com",
        "success+label-1@simulator.amazonses.com",
        "Bounce@SIMULATOR.amazonses.com",
    ],
)
def test_mailbox_simulator_recipients_are_allowed_in_the_sandbox(address: str) -> None:
    assert is_simulator(address)
    assert check("admin@mydomain.example", [address], SANDBOX, ADMIN).accepted


def test_other_simulator_addresses_are_not_allowed() -> None:
    assert not is_simulator("other@simulator.amazonses.com")
    assert not check(
        "admin@mydomain.example", ["other@simulator.amazonses.com"], SANDBOX, ADMIN
    ).accepted


def test_a_plus_label_is_covered_by_the_address_without_it() -> None:
    ids = {**ADMIN, "me@example.com": ident("me@example.com")}
    assert check("admin@mydomain.example", ["me@example.com"], SANDBOX, ids).accepted
    assert check("admin@mydomain.example", ["me+x@example.com"], SANDBOX, ids).accepted
    assert check("admin+news@mydomain.example", ["me@example.com"], SANDBOX, ids).accepted


def test_unknown_sandbox_state_is_treated_as_sandbox() -> None:
    unknown = replace(PROD, production_access_enabled=None)
    result = check("admin@mydomain.example", ["x@example.com"], unknown, ADMIN)
    assert not result.accepted
    assert any("unknown" in r for r in result.reasons)


def test_sending_paused_and_shutdown() -> None:
    paused = check(
        "admin@mydomain.example", ["x@y.example"], replace(PROD, sending_enabled=False), ADMIN
    )
    assert (paused.error_code, paused.message) == ("SendingPausedException", PAUSED_TEXT)
    assert PAUSED_TEXT.startswith("Sending paused for this account. For more information")
    assert not paused.own_wording
    shut = check(
        "admin@mydomain.example",
        ["x@y.example"],
        replace(PROD, enforcement_status="SHUTDOWN"),
        ADMIN,
    )
    assert shut.error_code == "AccountSuspendedException"
    assert shut.own_wording and "sesops'" in shut.wording_note


def test_daily_quota() -> None:
    full = replace(SANDBOX, sent_last_24_hours=200.0)
    ids = {**ADMIN, "me@example.com": ident("me@example.com")}
    result = check("admin@mydomain.example", ["me@example.com"], full, ids)
    assert (result.error_code, result.message) == (
        "LimitExceededException",
        "Daily message quota exceeded.",
    )
    unlimited = replace(PROD, max_24_hour_send=-1.0, sent_last_24_hours=10**9)
    assert check("admin@mydomain.example", ["x@y.example"], unlimited, ADMIN).accepted


def test_too_many_recipients() -> None:
    result = check("admin@mydomain.example", [f"r{i}@x.example" for i in range(51)], PROD, ADMIN)
    assert result.message == "Recipient count exceeds 50."


def test_mail_from_failure_rejects_only_with_reject_message() -> None:
    domain = ident(
        "mydomain.example",
        mail_from_domain="mail.mydomain.example",
        mail_from_status="FAILED",
        mail_from_behavior="REJECT_MESSAGE",
    )
    ids = {"mydomain.example": domain}
    result = check("billing@mydomain.example", ["x@y.example"], PROD, ids)
    assert result.error_code == "MailFromDomainNotVerifiedException"
    assert "mail.mydomain.example" in result.message
    fallback = {"mydomain.example": replace(domain, mail_from_behavior="USE_DEFAULT_VALUE")}
    assert check("billing@mydomain.example", ["x@y.example"], PROD, fallback).accepted


def test_the_most_specific_identitys_settings_apply() -> None:
    """An address identity of its own: its settings, not its domain's MAIL FROM, apply."""
    domain = ident(
        "mydomain.example",
        mail_from_domain="mail.mydomain.example",
        mail_from_status="FAILED",
        mail_from_behavior="REJECT_MESSAGE",
    )
    ids = {**ADMIN, "mydomain.example": domain}
    assert check("admin@mydomain.example", ["x@y.example"], PROD, ids).accepted
    disabled = {**ids, "mydomain.example": replace(domain, mail_from_domain="")}
    disabled["admin@mydomain.example"] = replace(
        ADMIN["admin@mydomain.example"], sending_enabled=False
    )
    assert check("admin@mydomain.example", ["x@y.example"], PROD, disabled).message == (
        "Sending is disabled for identity admin@mydomain.example."
    )
    assert check("billing@mydomain.example", ["x@y.example"], PROD, disabled).accepted


def test_identity_sending_disabled_rejects() -> None:
    ids = {
        "admin@mydomain.example": replace(ADMIN["admin@mydomain.example"], sending_enabled=False)
    }
    result = check("admin@mydomain.example", ["x@y.example"], PROD, ids)
    assert (result.error_code, result.message) == (
        "MessageRejected",
        "Sending is disabled for identity admin@mydomain.example.",
    )


def test_an_identity_not_present_any_more_does_not_verify() -> None:
    gone = {"admin@mydomain.example": replace(ADMIN["admin@mydomain.example"], present=False)}
    assert not check("admin@mydomain.example", ["x@y.example"], PROD, gone).accepted


def test_stale_data_is_mentioned() -> None:
    result = check("admin@mydomain.example", ["x@y.example"], replace(PROD, stale=True), ADMIN)
    assert result.accepted
    assert "out of date" in result.reasons[0]


def test_addresses_are_validated_and_kept_as_typed() -> None:
    assert given_address(" Admin <Admin@MyDomain.Example> ") == "Admin <Admin@MyDomain.Example>"
    assert split_recipients("a@x.example, b@x.example;\nc@x.example,,a@x.example") == [
        "a@x.example",
        "b@x.example",
        "c@x.example",
    ]
    assert split_recipients('"Doe, Jane" <Jane@x.example>, B@x.example') == [
        '"Doe, Jane" <Jane@x.example>',
        "B@x.example",
    ]
    with pytest.raises(InvalidAddress, match="'not-an-address' is not a valid email address"):
        given_address("not-an-address")
    with pytest.raises(InvalidAddress):
        split_recipients(["ok@x.example", "bad@"])


def test_the_rejection_lists_addresses_as_given_with_display_names_and_case() -> None:
    to = ['"Jane Doe" <Jane@Other.example>', "Bob@other.example"]
    result = check("admin@mydomain.example", to, SANDBOX, ADMIN)
    assert result.message.endswith('US-EAST-1: "Jane Doe" <Jane@Other.example>, Bob@other.example')


def test_address_identities_are_case_sensitive() -> None:
    ids = {"Admin@mydomain.example": ident("Admin@mydomain.example")}
    assert check("Admin@MyDomain.example", ["x@y.example"], PROD, ids).accepted
    result = check("admin@mydomain.example", ["x@y.example"], PROD, ids)
    assert result.message.endswith("region US-EAST-1: admin@mydomain.example")


def test_an_unverified_return_path_is_rejected_like_a_sender() -> None:
    result = check_send(
        sender="admin@mydomain.example",
        recipients=["x@y.example"],
        region=PROD,
        identities=ADMIN,
        return_path="Bounces <bounces@elsewhere.example>",
    )
    assert result.message.endswith("region US-EAST-1: Bounces <bounces@elsewhere.example>")
    assert any("Return-Path" in r for r in result.reasons)
    assert result.fixes[0].startswith("Verify Bounces <bounces@elsewhere.example> in us-east-1")


def test_the_mailbox_simulator_does_not_count_against_the_daily_quota() -> None:
    full = replace(PROD, max_24_hour_send=200.0, sent_last_24_hours=200.0)
    assert check(
        "admin@mydomain.example", ["success@simulator.amazonses.com"], full, ADMIN
    ).accepted
    result = check("admin@mydomain.example", ["x@y.example"], full, ADMIN)
    assert result.message == "Daily message quota exceeded."


def test_no_recipient_is_bad_input() -> None:
    with pytest.raises(InvalidAddress):
        check("admin@mydomain.example", [], PROD, ADMIN)
