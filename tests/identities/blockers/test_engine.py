"""The blockers engine: every code, its severity, and the cell status it gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from identities.blockers.advice import Advice
from identities.blockers.deed import DeedParent
from identities.blockers.engine import (
    ACTIONS,
    CODES,
    Blocker,
    DnsState,
    IdentityState,
    RegionState,
    blockers_for,
    cell_status,
)
from identities.blockers.texts import explain_error_type

PROD = RegionState(
    account_label="main",
    code="us-east-1",
    production_access_enabled=True,
    sending_enabled=True,
    enforcement_status="HEALTHY",
    max_24_hour_send=50000.0,
    sent_last_24_hours=10.0,
    stale=False,
    last_error="",
)
SANDBOX = replace(PROD, production_access_enabled=False, max_24_hour_send=200.0)

ADDRESS = IdentityState(
    name="admin@mydomain.example",
    kind="EMAIL_ADDRESS",
    present=True,
    verification_status="SUCCESS",
    verified_for_sending=True,
    sending_enabled=True,
)
DOMAIN = IdentityState(
    name="mydomain.example",
    kind="DOMAIN",
    present=True,
    verification_status="SUCCESS",
    verified_for_sending=True,
    sending_enabled=True,
    dkim_signing_enabled=True,
    dkim_status="SUCCESS",
    dkim_origin="AWS_SES",
)


def codes(blockers: list[Blocker]) -> list[str]:
    return [b.code for b in blockers]


def only(blockers: list[Blocker], code: str) -> Blocker:
    found = [b for b in blockers if b.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(blockers)}"
    return found[0]


def test_healthy_identity_in_production_region_has_no_blockers() -> None:
    assert blockers_for(ADDRESS, PROD) == []
    assert blockers_for(DOMAIN, PROD) == []
    assert cell_status([]) == "sending"


def test_not_in_region_is_a_warning_naming_the_regions_it_exists_in() -> None:
    absent = replace(ADDRESS, present=False, other_regions=("eu-west-1",))
    b = only(blockers_for(absent, PROD), "not_in_region")
    assert b.severity == "warning"
    assert "exists in eu-west-1 but not here" in b.message.lower()
    assert b.action == "add_to_region"
    assert cell_status(blockers_for(absent, PROD)) == "absent"


def test_not_in_region_when_identity_is_none_or_nowhere_else_blocks() -> None:
    assert codes(blockers_for(None, PROD)) == ["not_in_region"]
    b = only(blockers_for(replace(ADDRESS, present=False), PROD), "not_in_region")
    assert b.severity == "blocking"
    assert cell_status([b]) == "absent"


def test_absent_identity_gets_no_region_level_noise() -> None:
    blockers = blockers_for(None, SANDBOX)
    assert codes(blockers) == ["not_in_region"]


def test_email_verification_pending_offers_resend() -> None:
    pending = replace(ADDRESS, verification_status="PENDING", verified_for_sending=False)
    b = only(blockers_for(pending, PROD), "verification_pending")
    assert b.severity == "blocking"
    assert b.action == "resend_verification"
    assert "link" in b.message


def test_domain_verification_pending_asks_for_dns() -> None:
    pending = replace(DOMAIN, verification_status="PENDING", verified_for_sending=False)
    b = only(blockers_for(pending, PROD), "verification_pending")
    assert b.action == "publish_dns"
    assert "DNS" in b.message


def test_verification_failed_explains_the_error_type() -> None:
    failed = replace(
        DOMAIN,
        verification_status="FAILED",
        verified_for_sending=False,
        verification_error_type="HOST_NOT_FOUND",
    )
    b = only(blockers_for(failed, PROD), "verification_failed")
    assert b.severity == "blocking"
    assert "no such DNS name" in b.message


def test_email_verification_failed_says_the_link_expired() -> None:
    failed = replace(ADDRESS, verification_status="FAILED", verified_for_sending=False)
    b = only(blockers_for(failed, PROD), "verification_failed")
    assert "24 hours" in b.message
    assert b.action == "resend_verification"


def test_temporary_failure_of_verified_domain_is_a_warning() -> None:
    temp = replace(
        DOMAIN, verification_status="TEMPORARY_FAILURE", verification_error_type="TYPE_NOT_FOUND"
    )
    b = only(blockers_for(temp, PROD), "verification_temporary_failure")
    assert b.severity == "warning"
    assert "name exists but has no record of the type" in b.message


def test_temporary_failure_of_unverified_identity_blocks() -> None:
    temp = replace(
        DOMAIN,
        verification_status="TEMPORARY_FAILURE",
        verified_for_sending=False,
        verification_error_type="DNS_SERVER_ERROR",
    )
    b = only(blockers_for(temp, PROD), "verification_temporary_failure")
    assert b.severity == "blocking"
    assert "did not answer" in b.message


@pytest.mark.parametrize(
    ("error_type", "words"),
    [
        ("HOST_NOT_FOUND", "no such DNS name"),
        ("TYPE_NOT_FOUND", "name exists"),
        ("INVALID_VALUE", "value is not what SES expects"),
        ("DNS_SERVER_ERROR", "DNS servers"),
        ("SERVICE_ERROR", "internal SES error"),
        ("REPLICATION_ACCESS_DENIED", "DEED"),
        ("REPLICATION_SOMETHING_NEW", "DEED"),
        ("", ""),
    ],
)
def test_error_types_are_explained_in_plain_words(error_type: str, words: str) -> None:
    assert words in explain_error_type(error_type)
    if not error_type:
        assert explain_error_type(error_type) == ""


def test_a_pending_address_identity_is_blocked_even_under_a_verified_domain() -> None:
    """SES applies the most specific identity: the address's own status decides."""
    pending = replace(
        ADDRESS,
        verification_status="PENDING",
        verified_for_sending=False,
        parent_domain_verified=True,
    )
    b = only(blockers_for(pending, PROD), "verification_pending")
    assert b.blocking and "Its domain is verified" in b.message
    assert "delete the address identity" in b.remedy


def test_status_decides_over_a_verified_for_sending_flag() -> None:
    """VerifiedForSendingStatus only bridges TEMPORARY_FAILURE (or an unread status)."""
    claims = replace(ADDRESS, verification_status="PENDING", verified_for_sending=True)
    assert only(blockers_for(claims, PROD), "verification_pending").blocking
    retrying = replace(ADDRESS, verification_status="TEMPORARY_FAILURE", verified_for_sending=True)
    assert not any(b.blocking for b in blockers_for(retrying, PROD))
    unread = replace(ADDRESS, verification_status="", verified_for_sending=True)
    assert blockers_for(unread, PROD) == []


def test_unknown_verification_status_asks_for_a_sync() -> None:
    unknown = replace(ADDRESS, verification_status="", verified_for_sending=None)
    b = only(blockers_for(unknown, PROD), "verification_pending")
    assert b.action == "sync_now"


def test_dkim_pending_and_failed_are_warnings_for_domains() -> None:
    pending = replace(DOMAIN, dkim_status="PENDING")
    b = only(blockers_for(pending, PROD), "dkim_pending")
    assert b.severity == "warning"
    assert "three DKIM CNAME" in b.message
    failed = replace(DOMAIN, dkim_status="FAILED", dkim_origin="EXTERNAL")
    b = only(blockers_for(failed, PROD), "dkim_failed")
    assert b.severity == "warning"
    assert "BYODKIM" in b.message
    assert cell_status(blockers_for(failed, PROD)) == "warning"


def test_dkim_is_not_judged_on_email_addresses() -> None:
    assert blockers_for(replace(ADDRESS, dkim_status="FAILED"), PROD) == []


def test_mail_from_failed_blocks_only_with_reject_message() -> None:
    base = replace(DOMAIN, mail_from_domain="mail.mydomain.example", mail_from_status="FAILED")
    rejecting = only(
        blockers_for(replace(base, mail_from_behavior="REJECT_MESSAGE"), PROD), "mail_from_failed"
    )
    assert rejecting.severity == "blocking"
    fallback = only(
        blockers_for(replace(base, mail_from_behavior="USE_DEFAULT_VALUE"), PROD),
        "mail_from_failed",
    )
    assert fallback.severity == "warning"
    assert "feedback-smtp.us-east-1.amazonses.com" in fallback.remedy


def test_mail_from_pending_is_reported() -> None:
    pending = replace(
        DOMAIN,
        mail_from_domain="mail.mydomain.example",
        mail_from_status="PENDING",
        mail_from_behavior="REJECT_MESSAGE",
    )
    assert only(blockers_for(pending, PROD), "mail_from_pending").severity == "blocking"


def test_sandbox_is_a_warning_with_the_suggested_message() -> None:
    b = only(blockers_for(ADDRESS, SANDBOX), "sandbox")
    assert b.severity == "warning"
    assert b.message == "Only verified recipients, at most 200 messages a day."
    assert b.action == "request_production_access"


def test_unknown_sandbox_state_is_not_reported_as_sandbox() -> None:
    unknown = replace(PROD, production_access_enabled=None)
    assert "sandbox" not in codes(blockers_for(ADDRESS, unknown))


def test_account_sending_paused_blocks() -> None:
    b = only(blockers_for(ADDRESS, replace(PROD, sending_enabled=False)), "sending_paused")
    assert b.severity == "blocking"
    assert "whole account" in b.message


def test_identity_sending_disabled_blocks() -> None:
    b = only(blockers_for(replace(ADDRESS, sending_enabled=False), PROD), "sending_paused")
    assert "identity" in b.message


def test_unverified_identity_is_not_also_reported_as_paused() -> None:
    pending = replace(
        ADDRESS, verification_status="PENDING", verified_for_sending=False, sending_enabled=False
    )
    assert codes(blockers_for(pending, PROD)) == ["verification_pending"]


def test_probation_warns_and_shutdown_blocks() -> None:
    b = only(
        blockers_for(ADDRESS, replace(PROD, enforcement_status="PROBATION")), "account_probation"
    )
    assert b.severity == "warning"
    shut = replace(PROD, enforcement_status="SHUTDOWN", sending_enabled=False)
    blockers = blockers_for(ADDRESS, shut)
    assert only(blockers, "account_shutdown").severity == "blocking"
    assert "sending_paused" not in codes(blockers)  # shutdown already explains it


def test_quota_exhausted_only_when_limited() -> None:
    full = replace(PROD, max_24_hour_send=200.0, sent_last_24_hours=200.0)
    assert only(blockers_for(ADDRESS, full), "quota_exhausted").severity == "blocking"
    unlimited = replace(PROD, max_24_hour_send=-1.0, sent_last_24_hours=10**9)
    assert "quota_exhausted" not in codes(blockers_for(ADDRESS, unlimited))
    almost = replace(PROD, max_24_hour_send=200.0, sent_last_24_hours=199.0)
    assert "quota_exhausted" not in codes(blockers_for(ADDRESS, almost))


def dns(verdict: str, name: str = "a._domainkey.mydomain.example", **kw: str) -> DnsState:
    return DnsState(purpose="dkim", name=name, rtype="CNAME", verdict=verdict, **kw)


def test_dns_missing_blocks_an_unverified_domain_and_warns_a_verified_one() -> None:
    pending = replace(DOMAIN, verification_status="PENDING", verified_for_sending=False)
    b = only(blockers_for(pending, PROD, [dns("missing")]), "dns_missing")
    assert b.severity == "blocking"
    assert "a._domainkey.mydomain.example (CNAME)" in b.message
    assert b.action == "publish_dns"
    assert only(blockers_for(DOMAIN, PROD, [dns("missing")]), "dns_missing").severity == "warning"


def test_dns_mismatch_carries_the_diagnosis() -> None:
    checks = [
        dns("wrong_value", diagnosis="zone name appended twice"),
        dns("wrong_type", name="b._domainkey.mydomain.example"),
    ]
    b = only(blockers_for(DOMAIN, PROD, checks), "dns_mismatch")
    assert "zone name appended twice" in b.message
    assert b.message.startswith("a._domainkey.mydomain.example (CNAME), b._domainkey")


def test_dns_partial_is_a_warning_that_suggests_checking_again() -> None:
    b = only(blockers_for(DOMAIN, PROD, [dns("partial")]), "dns_partial")
    assert b.severity == "warning"
    assert b.action == "check_dns"


def test_unknown_and_ok_dns_verdicts_are_never_reported() -> None:
    assert blockers_for(DOMAIN, PROD, [dns("unknown"), dns("ok")]) == []


def test_warning_severity_dns_record_never_blocks() -> None:
    pending = replace(DOMAIN, verification_status="PENDING", verified_for_sending=False)
    dmarc = DnsState("dmarc", "_dmarc.mydomain.example", "TXT", "missing", "warning", "")
    assert only(blockers_for(pending, PROD, [dmarc]), "dns_missing").severity == "warning"


def test_stale_region_warns_with_the_sync_error() -> None:
    stale = replace(PROD, stale=True, last_error="AccessDenied: not authorized\nmore")
    b = only(blockers_for(ADDRESS, stale), "stale")
    assert b.severity == "warning"
    assert "AccessDenied: not authorized" in b.message
    assert "more" not in b.message
    assert b.action == "sync_now"


def test_stale_region_without_error_says_when_it_was_synced() -> None:
    when = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    b = only(blockers_for(ADDRESS, replace(PROD, stale=True, last_success_at=when)), "stale")
    assert "2026-11-26 08:00 UTC" in b.message
    never = only(blockers_for(ADDRESS, replace(PROD, stale=True)), "stale")
    assert "never" in never.message


def test_blocking_blockers_come_first_and_cell_is_blocked() -> None:
    pending = replace(ADDRESS, verification_status="PENDING", verified_for_sending=False)
    blockers = blockers_for(pending, SANDBOX)
    assert codes(blockers) == ["verification_pending", "sandbox"]
    assert cell_status(blockers) == "blocked"


def test_every_blocker_has_a_known_code_one_line_message_and_valid_action() -> None:
    worst = replace(
        DOMAIN,
        verification_status="FAILED",
        verified_for_sending=False,
        sending_enabled=False,
        verification_error_type="INVALID_VALUE",
        dkim_status="FAILED",
        mail_from_domain="m.mydomain.example",
        mail_from_status="FAILED",
        mail_from_behavior="REJECT_MESSAGE",
    )
    region = replace(SANDBOX, enforcement_status="PROBATION", sent_last_24_hours=200.0, stale=True)
    checks = [dns("missing"), dns("wrong_value"), dns("partial")]
    blockers = blockers_for(worst, region, checks)
    assert len(codes(blockers)) == len(set(codes(blockers)))
    for b in blockers:
        assert b.code in CODES
        assert "\n" not in b.message and b.message
        assert b.remedy
        assert b.action is None or b.action in ACTIONS
        assert b.as_dict()["code"] == b.code


def test_missing_mail_from_mx_blocks_only_when_ses_rejects_on_mx_failure() -> None:
    mx = DnsState("mail_from_mx", "bounce.mydomain.example", "MX", "missing", "blocking", "")
    base = replace(DOMAIN, mail_from_domain="bounce.mydomain.example", mail_from_status="FAILED")
    fallback = replace(base, mail_from_behavior="USE_DEFAULT_VALUE")
    assert only(blockers_for(fallback, PROD, [mx]), "dns_missing").severity == "warning"
    rejecting = replace(base, mail_from_behavior="REJECT_MESSAGE")
    assert only(blockers_for(rejecting, PROD, [mx]), "dns_missing").severity == "blocking"
    # An unverified domain is blocked by its DKIM records, not by its MAIL FROM MX.
    pending = replace(fallback, verification_status="PENDING", verified_for_sending=False)
    assert only(blockers_for(pending, PROD, [mx]), "dns_missing").severity == "warning"


def _one_of_every_code() -> list[Blocker]:
    """Blockers covering every code in CODES (several states: some codes exclude others)."""
    failed_domain = replace(
        DOMAIN,
        verification_status="FAILED",
        verified_for_sending=False,
        dkim_status="FAILED",
        mail_from_domain="m.mydomain.example",
        mail_from_status="FAILED",
    )
    region = replace(SANDBOX, enforcement_status="PROBATION", sent_last_24_hours=200.0, stale=True)
    checks = [dns("missing"), dns("wrong_value"), dns("partial")]
    out = blockers_for(failed_domain, region, checks)
    out += blockers_for(replace(ADDRESS, verification_status="FAILED", verified_for_sending=False),
                        PROD)  # fmt: skip
    out += blockers_for(replace(ADDRESS, verification_status="PENDING", verified_for_sending=False),
                        PROD)  # fmt: skip
    out += blockers_for(
        replace(DOMAIN, verification_status="TEMPORARY_FAILURE", dkim_status="PENDING",
                mail_from_domain="m.mydomain.example", mail_from_status="PENDING"),
        replace(PROD, sending_enabled=False),
    )  # fmt: skip
    out += blockers_for(replace(ADDRESS, sending_enabled=False), PROD)
    out += blockers_for(replace(DOMAIN, dkim_signing_enabled=False), PROD)
    out += blockers_for(None, PROD)
    out += blockers_for(ADDRESS, replace(PROD, enforcement_status="SHUTDOWN"))
    parent = DeedParent(region="eu-west-1", present=True, verification_status="FAILED")
    out += blockers_for(replace(DOMAIN, dkim_origin="AWS_SES_EU_WEST_1", deed_parent=parent), PROD)
    out += blockers_for(replace(DOMAIN, advice=(Advice("DKIM", "HIGH", "Set up DKIM."),)), PROD)
    return out


def test_no_message_repeats_its_title() -> None:
    # The page shows "<title>: <message>": "Verification failed: Verification failed: ..."
    # must not happen for any code.
    blockers = _one_of_every_code()
    assert set(codes(blockers)) == set(CODES)
    for b in blockers:
        title, message = b.title.lower(), b.message.lower()
        assert not message.startswith(title.split()[0]), (b.code, b.message)
        assert f"{title}:" not in message, (b.code, b.message)


def test_dkim_signing_turned_off_is_a_warning_saying_what_it_costs() -> None:
    off = replace(DOMAIN, dkim_signing_enabled=False)
    b = only(blockers_for(off, PROD), "dkim_signing_disabled")
    assert b.severity == "warning"
    assert "no DKIM signature" in b.message and "DMARC rests on SPF alone" in b.message
