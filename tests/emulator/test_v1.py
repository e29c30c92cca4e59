"""SES v1 (query protocol, XML) operations through boto3's `ses` client."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import ZONE, error_code


def test_verify_email_identity_creates_a_pending_address_and_mails_a_link(emu, ses1):
    ses1.verify_email_identity(EmailAddress="ann@example.test")
    attrs = ses1.get_identity_verification_attributes(Identities=["ann@example.test"])
    assert attrs["VerificationAttributes"] == {
        "ann@example.test": {"VerificationStatus": "Pending"}
    }
    assert len(emu.mail(to="ann@example.test")) == 1


def test_list_identities_filters_by_type_and_pages(emu, ses1):
    for name in ("a@example.test", "b@example.test", "c@example.test"):
        ses1.verify_email_identity(EmailAddress=name)
    ses1.verify_domain_identity(Domain="example.test")
    assert ses1.list_identities(IdentityType="Domain")["Identities"] == ["example.test"]
    first = ses1.list_identities(IdentityType="EmailAddress", MaxItems=2)
    assert first["Identities"] == ["a@example.test", "b@example.test"]
    rest = ses1.list_identities(
        IdentityType="EmailAddress", MaxItems=2, NextToken=first["NextToken"]
    )
    assert rest["Identities"] == ["c@example.test"] and "NextToken" not in rest
    assert len(ses1.list_identities()["Identities"]) == 4


def test_batch_reads_answer_per_identity_in_v1_enums(emu, ses, ses1):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    ses.put_email_identity_mail_from_attributes(
        EmailIdentity="example.test", MailFromDomain="m.example.test"
    )
    for t in tokens:
        emu.store.add_record(f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")
    ses.create_email_identity(EmailIdentity="a@example.test")
    names = ["example.test", "a@example.test", "unknown.test"]
    ver = ses1.get_identity_verification_attributes(Identities=names)["VerificationAttributes"]
    assert ver["example.test"]["VerificationStatus"] == "Success"
    assert len(ver["example.test"]["VerificationToken"]) == 44
    assert ver["a@example.test"] == {"VerificationStatus": "Pending"}
    assert "unknown.test" not in ver
    dkim = ses1.get_identity_dkim_attributes(Identities=names)["DkimAttributes"]
    assert dkim["example.test"] == {
        "DkimEnabled": True,
        "DkimVerificationStatus": "Success",
        "DkimTokens": tokens,
    }
    assert dkim["a@example.test"]["DkimVerificationStatus"] == "NotStarted"
    mf = ses1.get_identity_mail_from_domain_attributes(Identities=names)["MailFromDomainAttributes"]
    assert mf["example.test"] == {
        "MailFromDomain": "m.example.test",
        "MailFromDomainStatus": "Pending",
        "BehaviorOnMXFailure": "UseDefaultValue",
    }
    assert mf["a@example.test"] == {"BehaviorOnMXFailure": "UseDefaultValue"}


def test_batch_reads_refuse_more_than_100_identities(ses1):
    names = [f"u{i}@example.test" for i in range(101)]
    for call in (
        ses1.get_identity_verification_attributes,
        ses1.get_identity_dkim_attributes,
        ses1.get_identity_mail_from_domain_attributes,
    ):
        with pytest.raises(ClientError) as exc:
            call(Identities=names)
        assert error_code(exc) == "InvalidParameterValue"
        assert exc.value.response["Error"]["Type"] == "Sender"


def test_get_send_quota_follows_the_region(emu, ses1):
    assert ses1.get_send_quota()["Max24HourSend"] == 200.0
    emu.control("POST", "regions/000000000000/us-east-1", {"production": True})
    quota = ses1.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"], quota["SentLast24Hours"]) == (
        50000.0,
        14.0,
        0.0,
    )


def test_verify_domain_dkim_and_delete_identity(ses1):
    tokens = ses1.verify_domain_dkim(Domain="example.test")["DkimTokens"]
    assert len(tokens) == 3
    ses1.delete_identity(Identity="example.test")
    ses1.delete_identity(Identity="never-existed.test")
    assert ses1.list_identities()["Identities"] == []


def test_v1_send_email_applies_the_sandbox(emu, ses1):
    ses1.verify_email_identity(EmailAddress="me@example.test")
    emu.click("me@example.test")
    with pytest.raises(ClientError) as exc:
        ses1.send_email(
            Source="me@example.test",
            Destination={"ToAddresses": ["x@y.example"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )
    assert error_code(exc) == "MessageRejected"
    assert exc.value.response["Error"]["Message"].endswith("region US-EAST-1: x@y.example")


@pytest.mark.parametrize("email", ["no-at-sign", "two@@example.test", "a@-bad-.test"])
def test_v1_bad_addresses_are_invalid_parameter_values(ses1, email):
    with pytest.raises(ClientError) as exc:
        ses1.verify_email_identity(EmailAddress=email)
    assert error_code(exc) == "InvalidParameterValue"


def test_unknown_actions_and_malformed_bodies_get_ses_errors_not_tracebacks(emu):
    def post(body: bytes, path: str = "/") -> tuple[int, str]:
        req = urllib.request.Request(emu.url + path, data=body, method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    status, text = post(b"Action=LaunchRockets&Version=2010-12-01")
    assert status == 400 and "<Code>InvalidAction</Code>" in text
    status, text = post(b"Action=GetIdentityDkimAttributes")
    assert status == 400 and "<Code>MissingParameter</Code>" in text
    status, text = post(b"Action=ListIdentities&MaxItems=lots")
    assert status == 400 and "<Code>InvalidParameterValue</Code>" in text
    status, text = post(b"{not json", "/v2/email/identities")
    assert status == 400 and "Traceback" not in text


def test_the_same_world_answers_v1_and_v2():
    with run_emulator({"zones": [ZONE]}) as emu:
        emu.client("sesv2").create_email_identity(EmailIdentity="example.test")
        assert emu.client("ses").list_identities()["Identities"] == ["example.test"]
