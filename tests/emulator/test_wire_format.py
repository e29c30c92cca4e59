"""The raw wire format, below boto3: headers, XML wrappers, credential-scope routing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

from emulator.testing import run_emulator

NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"


def _auth(key: str, region: str, service: str = "ses") -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20261126/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000"
    )


def _call(url: str, method: str, path: str, body: bytes | None, auth: str, ctype: str):
    req = urllib.request.Request(url + path, data=body, method=method)
    req.add_header("Authorization", auth)
    req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_v1_answers_are_wrapped_as_botocore_expects():
    with run_emulator() as emu:
        status, headers, body = _call(
            emu.url,
            "POST",
            "/",
            b"Action=GetSendQuota&Version=2010-12-01",
            _auth("AKIAX", "eu-west-1"),
            "application/x-www-form-urlencoded",
        )
        assert status == 200 and headers["Content-Type"] == "text/xml"
        root = ET.fromstring(body)
        assert root.tag == f"{NS}GetSendQuotaResponse"
        assert root.find(f"{NS}GetSendQuotaResult/{NS}Max24HourSend").text == "200.0"
        assert root.find(f"{NS}ResponseMetadata/{NS}RequestId").text


def test_v1_errors_are_error_responses_with_type_code_message():
    with run_emulator() as emu:
        status, _, body = _call(
            emu.url,
            "POST",
            "/",
            b"Action=VerifyEmailIdentity&EmailAddress=nope",
            _auth("AKIAX", "us-east-1"),
            "application/x-www-form-urlencoded",
        )
        root = ET.fromstring(body)
        assert status == 400 and root.tag == f"{NS}ErrorResponse"
        assert [e.tag.removeprefix(NS) for e in root.find(f"{NS}Error")] == [
            "Type",
            "Code",
            "Message",
        ]
        assert root.find(f"{NS}Error/{NS}Code").text == "InvalidParameterValue"


def test_v2_errors_carry_the_error_type_header_and_a_message():
    with run_emulator() as emu:
        status, headers, body = _call(
            emu.url,
            "GET",
            "/v2/email/identities/missing.test",
            None,
            _auth("AKIAX", "us-east-1"),
            "application/json",
        )
        assert status == 404
        assert headers["x-amzn-ErrorType"] == "NotFoundException"
        assert headers["x-amzn-RequestId"]
        assert json.loads(body) == {"message": "Email identity <missing.test> does not exist."}


def test_account_and_region_come_from_the_credential_scope():
    scenario = {"accounts": [{"id": "111111111111", "access_keys": ["AKIAPROD"]}]}
    with run_emulator(scenario) as emu:
        body = json.dumps({"EmailIdentity": "a@example.test"}).encode()
        _call(
            emu.url,
            "POST",
            "/v2/email/identities",
            body,
            _auth("AKIAPROD", "sa-east-1"),
            "application/json",
        )
        _call(
            emu.url,
            "POST",
            "/v2/email/identities",
            body,
            _auth("AKIAOTHER", "us-west-2", "email"),
            "application/json",
        )
        places = {(r["account"], r["region"]) for r in emu.control("GET", "stats")["counts"]}
        assert places == {("111111111111", "sa-east-1"), ("000000000000", "us-west-2")}
