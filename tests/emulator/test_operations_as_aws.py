"""Operations answer as AWS does: unknown operations, PageSize's range, v1 batch reads of
unknown identities, DKIM signing turned on and off."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import error_code
from tests.emulator.test_wire_format import _auth, _call


def _raw(emu, method: str, path: str, body: bytes = b"", ctype: str = "application/json"):
    return _call(emu.url, method, path, body or None, _auth("AKIAX", "us-east-1"), ctype)


def test_an_unimplemented_v2_operation_is_unknown_not_a_missing_identity(emu, ses):
    ses.create_email_identity(EmailIdentity="example.test")
    # PutEmailIdentityFeedbackAttributes exists in SES; the emulator does not serve it.
    status, headers, body = _raw(
        emu, "PUT", "/v2/email/identities/example.test/feedback", b'{"EmailForwardingEnabled":1}'
    )
    assert status == 404 and headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "NotFound" not in json.loads(body)["message"]
    with pytest.raises(ClientError) as exc:
        ses.put_email_identity_feedback_attributes(
            EmailIdentity="example.test", EmailForwardingEnabled=True
        )
    assert error_code(exc) == "UnknownOperationException"


def test_an_unknown_v1_action_is_invalid_action(emu):
    status, _, body = _raw(
        emu,
        "POST",
        "/",
        b"Action=SetIdentityFeedbackForwardingEnabled&Version=2010-12-01",
        "application/x-www-form-urlencoded",
    )
    assert status == 400 and b"<Code>InvalidAction</Code>" in body


@pytest.mark.parametrize(("size", "ok"), [(0, True), (1000, True), (-1, False), (1001, False)])
def test_list_email_identities_takes_page_size_0_to_1000(ses, size, ok):
    ses.create_email_identity(EmailIdentity="example.test")
    if not ok:
        with pytest.raises(ClientError) as exc:
            ses.list_email_identities(PageSize=size)
        assert error_code(exc) == "BadRequestException"
        return
    page = ses.list_email_identities(PageSize=size)
    if size == 0:  # no items, but a token that loses nothing
        assert page["EmailIdentities"] == []
        rest = ses.list_email_identities(PageSize=10, NextToken=page["NextToken"])
        assert [i["IdentityName"] for i in rest["EmailIdentities"]] == ["example.test"]
    else:
        assert [i["IdentityName"] for i in page["EmailIdentities"]] == ["example.test"]


def test_v1_dkim_attributes_leave_unknown_identities_out(ses, ses1):
    ses.create_email_identity(EmailIdentity="example.test")
    ses.create_email_identity(EmailIdentity="me@example.test")
    got = ses1.get_identity_dkim_attributes(
        Identities=["example.test", "me@example.test", "unknown.test"]
    )["DkimAttributes"]
    assert sorted(got) == ["example.test", "me@example.test"]
    assert got["me@example.test"] == {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}


def test_dkim_signing_turned_off_and_on_in_v2_and_v1(emu, ses, ses1):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    for t in tokens:
        emu.store.add_record(f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")
    ses.put_email_identity_dkim_attributes(EmailIdentity="example.test", SigningEnabled=False)
    dkim = ses.get_email_identity(EmailIdentity="example.test")["DkimAttributes"]
    assert (dkim["SigningEnabled"], dkim["Status"]) == (False, "SUCCESS")
    v1 = ses1.get_identity_dkim_attributes(Identities=["example.test"])["DkimAttributes"]
    assert v1["example.test"]["DkimEnabled"] is False
    ses1.set_identity_dkim_enabled(Identity="example.test", DkimEnabled=True)
    assert ses.get_email_identity(EmailIdentity="example.test")["DkimAttributes"]["SigningEnabled"]
    # An address signs only once its domain is set up for Easy DKIM.
    ses.create_email_identity(EmailIdentity="me@example.test")
    ses.create_email_identity(EmailIdentity="me@nodkim.test")
    ses.put_email_identity_dkim_attributes(EmailIdentity="me@example.test", SigningEnabled=True)
    with pytest.raises(ClientError) as exc:
        ses1.set_identity_dkim_enabled(Identity="me@nodkim.test", DkimEnabled=True)
    assert error_code(exc) == "InvalidParameterValue"
    with pytest.raises(ClientError) as exc:
        ses.put_email_identity_dkim_attributes(EmailIdentity="nobody.test", SigningEnabled=True)
    assert error_code(exc) == "NotFoundException"
