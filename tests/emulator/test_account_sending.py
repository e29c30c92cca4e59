"""Per-region account state, the production-access review and SendEmail's rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import SIMPLE, error_code

DETAILS = {"MailType": "TRANSACTIONAL", "WebsiteURL": "https://example.test"}


def _verified_sender(emu, ses, address="me@example.test"):
    ses.create_email_identity(EmailIdentity=address)
    emu.click(address)
    return address


def test_a_new_region_is_a_sandbox(ses):
    acct = ses.get_account()
    assert acct["ProductionAccessEnabled"] is False
    assert acct["SendQuota"] == {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0}
    assert acct["EnforcementStatus"] == "HEALTHY" and acct["SendingEnabled"] is True
    assert "Details" not in acct


def test_regions_and_accounts_are_independent():
    scenario = {
        "accounts": [
            {
                "id": "111111111111",
                "access_keys": ["AKIAONE"],
                "regions": {"eu-west-1": {"production": True}},
            },
        ]
    }
    with run_emulator(scenario) as emu:
        one_eu = emu.client("sesv2", region_name="eu-west-1", access_key="AKIAONE")
        one_us = emu.client("sesv2", region_name="us-east-1", access_key="AKIAONE")
        other_eu = emu.client("sesv2", region_name="eu-west-1", access_key="AKIAUNKNOWN")
        assert one_eu.get_account()["ProductionAccessEnabled"] is True
        assert one_us.get_account()["ProductionAccessEnabled"] is False
        assert other_eu.get_account()["ProductionAccessEnabled"] is False
        one_eu.create_email_identity(EmailIdentity="a@example.test")
        assert other_eu.list_email_identities()["EmailIdentities"] == []
        state = emu.control("GET", "state")
        assert {a["id"] for a in state["accounts"]} == {"111111111111", "000000000000"}


def test_a_review_goes_pending_then_granted_after_the_delay(emu, ses):
    ses.put_account_details(**DETAILS, ProductionAccessEnabled=True, ContactLanguage="JA")
    details = ses.get_account()["Details"]
    assert details["ReviewDetails"]["Status"] == "PENDING" and details["ReviewDetails"]["CaseId"]
    assert details["ContactLanguage"] == "JA"
    with pytest.raises(ClientError) as exc:
        ses.put_account_details(**DETAILS, ProductionAccessEnabled=True)
    assert error_code(exc) == "ConflictException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    emu.advance(61)
    acct = ses.get_account()
    assert acct["Details"]["ReviewDetails"]["Status"] == "GRANTED"
    assert acct["ProductionAccessEnabled"] is True
    assert (
        acct["SendQuota"]["Max24HourSend"] == 50000.0 and acct["SendQuota"]["MaxSendRate"] == 14.0
    )


def test_a_review_can_be_denied_by_the_scenario_or_the_control_api():
    scenario = {
        "accounts": [
            {
                "id": "000000000000",
                "regions": {"us-east-1": {"review_outcome": "DENIED", "review_delay_seconds": 5}},
            }
        ]
    }
    with run_emulator(scenario) as emu:
        ses = emu.client("sesv2")
        ses.put_account_details(**DETAILS, ProductionAccessEnabled=True)
        emu.advance(6)
        acct = ses.get_account()
        assert acct["Details"]["ReviewDetails"]["Status"] == "DENIED"
        assert acct["ProductionAccessEnabled"] is False
        ses.put_account_details(**DETAILS, ProductionAccessEnabled=True)  # resubmitting is allowed
        emu.control("POST", "review/000000000000/us-east-1", {"status": "GRANTED"})
        assert ses.get_account()["ProductionAccessEnabled"] is True


@pytest.mark.parametrize(
    "kw",
    [
        {"MailType": "SPAM", "WebsiteURL": "https://x.test"},
        {**DETAILS, "AdditionalContactEmailAddresses": ["not-an-address"]},
        {**DETAILS, "ContactLanguage": "FR"},
    ],
)
def test_put_account_details_rejects_bad_values(emu, kw):
    # Client-side validation off, so the emulator's own checks are what answers.
    from botocore.config import Config

    ses = emu.client(
        "sesv2", config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )
    with pytest.raises(ClientError) as exc:
        ses.put_account_details(**kw)
    assert error_code(exc) == "BadRequestException"


def test_the_sandbox_rejects_unverified_recipients_with_ses_text(emu, ses):
    sender = _verified_sender(emu, ses)
    with pytest.raises(ClientError) as exc:
        ses.send_email(
            FromEmailAddress=sender,
            Destination={
                "ToAddresses": ["a@b.example", "success+x@simulator.amazonses.com"],
                "CcAddresses": ["c@d.example"],
            },
            Content=SIMPLE,
        )
    assert error_code(exc) == "MessageRejected"
    assert exc.value.response["Error"]["Message"] == (
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: a@b.example, c@d.example"
    )


def test_the_sandbox_allows_the_mailbox_simulator_and_verified_recipients(emu, ses):
    sender = _verified_sender(emu, ses)
    _verified_sender(emu, ses, "friend@example.test")
    out = ses.send_email(
        FromEmailAddress=f"Me <{sender}>",
        Destination={"ToAddresses": ["bounce@simulator.amazonses.com", "friend@example.test"]},
        Content=SIMPLE,
    )
    assert out["MessageId"]
    # The mailbox simulator does not count against the daily quota.
    assert ses.get_account()["SendQuota"]["SentLast24Hours"] == 1.0
    sent = [m for m in emu.mail() if m["kind"] == "message"]
    assert sent[0]["to"] == ["bounce@simulator.amazonses.com", "friend@example.test"]


def test_an_unverified_sender_is_rejected_even_in_production():
    scenario = {
        "accounts": [{"id": "000000000000", "regions": {"us-east-1": {"production": True}}}]
    }
    with run_emulator(scenario) as emu:
        ses = emu.client("sesv2")
        with pytest.raises(ClientError) as exc:
            ses.send_email(
                FromEmailAddress="x@nowhere.test",
                Destination={"ToAddresses": ["a@b.example"]},
                Content=SIMPLE,
            )
        assert error_code(exc) == "MessageRejected"
        assert exc.value.response["Error"]["Message"].endswith(
            "in region US-EAST-1: x@nowhere.test"
        )
        emu.control(
            "POST",
            "identities/000000000000/us-east-1/x@nowhere.test",
            {"create": True, "verification_status": "SUCCESS"},
        )
        ses.send_email(
            FromEmailAddress="x@nowhere.test",
            Destination={"ToAddresses": ["a@b.example"]},
            Content=SIMPLE,
        )


def test_paused_sending_suspended_account_and_quota(emu, ses):
    sender = _verified_sender(emu, ses)
    send = {"FromEmailAddress": sender, "Destination": {"ToAddresses": [sender]}, "Content": SIMPLE}
    emu.control("POST", "regions/000000000000/us-east-1", {"sending_enabled": False})
    with pytest.raises(ClientError) as exc:
        ses.send_email(**send)
    assert error_code(exc) == "SendingPausedException"
    emu.control(
        "POST",
        "regions/000000000000/us-east-1",
        {"sending_enabled": True, "enforcement_status": "SHUTDOWN"},
    )
    with pytest.raises(ClientError) as exc:
        ses.send_email(**send)
    assert error_code(exc) == "AccountSuspendedException"
    emu.control(
        "POST",
        "regions/000000000000/us-east-1",
        {"enforcement_status": "HEALTHY", "quota": {"max_24h": 1}},
    )
    ses.send_email(**send)
    with pytest.raises(ClientError) as exc:
        ses.send_email(**send)
    assert error_code(exc) == "LimitExceededException"


def test_send_email_bad_input(ses):
    with pytest.raises(ClientError) as exc:
        ses.send_email(
            FromEmailAddress="not an address",
            Destination={"ToAddresses": ["a@b.example"]},
            Content=SIMPLE,
        )
    assert error_code(exc) == "BadRequestException"
    with pytest.raises(ClientError) as exc:
        ses.send_email(Destination={"ToAddresses": ["a@b.example"]}, Content=SIMPLE)
    assert error_code(exc) == "BadRequestException"


def test_reject_message_mail_from_blocks_sending_until_verified(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    for t in tokens:
        emu.store.add_record(f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")
    ses.put_email_identity_mail_from_attributes(
        EmailIdentity="example.test",
        MailFromDomain="m.example.test",
        BehaviorOnMxFailure="REJECT_MESSAGE",
    )
    send = {
        "FromEmailAddress": "a@example.test",
        "Destination": {"ToAddresses": ["b@example.test"]},
        "Content": SIMPLE,
    }
    with pytest.raises(ClientError) as exc:
        ses.send_email(**send)
    assert error_code(exc) == "MailFromDomainNotVerifiedException"
    emu.store.add_record("m.example.test", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    assert ses.send_email(**send)["MessageId"]
