"""Contract: every answer the emulator gives to an operation sesops uses conforms to
botocore's own output shape (names, types, enums, required members), and every v2 error
code is one the operation's model lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import SIMPLE, ZONE
from tests.emulator.shapes import shape_errors
from tests.emulator.test_v2_identities import _private_key

# What real SES omits although the model marks it required (SES.md: read with .get()):
# an identity without a custom MAIL FROM domain has only BehaviorOnMxFailure.
KNOWN_OMISSIONS = (
    "MailFromDomain: required by MailFromAttributes",
    "MailFromDomainStatus: required by MailFromAttributes",
    "MailFromDomain: required by IdentityMailFromDomainAttributes",
    "MailFromDomainStatus: required by IdentityMailFromDomainAttributes",
)
# Errors any operation may answer (throttling, faults, unknown routes), as AWS does.
COMMON_ERRORS = {"UnknownOperationException", "InternalFailure", "ServiceUnavailable"}


class Recorder:
    """Collects (operation, raw body or parsed answer, output shape) from a client."""

    def __init__(self, emu: Any, service: str, raw: bool) -> None:
        self.emu, self.service = emu, service
        self.raw, self.seen, self.errors = raw, [], []

    def client(self, region: str = "us-east-1") -> Any:
        client = self.emu.client(self.service, region_name=region)
        client.meta.events.register(f"after-call.{self.service}", self._after)
        return client

    def _after(self, http_response: Any, parsed: dict, model: Any, **_: Any) -> None:
        if http_response.status_code >= 300:
            code = parsed.get("Error", {}).get("Code")
            self.errors.append((model.name, code, [e.name for e in model.error_shapes]))
            return
        body: Any = parsed
        if self.raw:
            body = json.loads(http_response.content or b"{}")
        else:
            body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
        self.seen.append((model.name, body, model.output_shape))


def _world() -> dict:
    return {
        "zones": [ZONE],
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {
                        "production": True,
                        "details": {"MailType": "TRANSACTIONAL", "WebsiteURL": "https://x.test"},
                        "identities": [
                            {
                                "name": "example.test",
                                "dkim": "published",
                                "mail_from": {"domain": "mail.example.test", "published": True},
                            },
                            {"name": "ops@example.test", "status": "SUCCESS"},
                        ],
                    },
                    "eu-west-1": {
                        "review": {"status": "DENIED", "case_id": "1234"},
                        "vdm": {
                            "enabled": True,
                            "recommendations": [
                                {"identity": "example.test", "type": "DKIM", "impact": "HIGH"}
                            ],
                        },
                    },
                    "ap-northeast-1": {"review": {"status": "PENDING", "case_id": "1235"}},
                },
            }
        ],
    }


def _drive_v2(rec: Recorder) -> None:
    """Every v2 operation sesops uses, with the variants its code paths produce."""
    ses = rec.client()
    ses.get_account()
    rec.client("eu-west-1").get_account()
    ses.list_email_identities(PageSize=1000)
    ses.list_email_identities(PageSize=0)
    vdm = rec.client("eu-west-1")
    vdm.list_recommendations(Filter={"STATUS": "OPEN"}, PageSize=100)
    ses.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    for name in ("example.test", "ops@example.test"):
        ses.get_email_identity(EmailIdentity=name)
    ses.create_email_identity(EmailIdentity="new.example.test")
    ses.create_email_identity(EmailIdentity="new@example.test")
    ses.create_email_identity(
        EmailIdentity="byo.example.test",
        DkimSigningAttributes={
            "DomainSigningSelector": "s1",
            "DomainSigningPrivateKey": _private_key()[0],
        },
    )
    ses.get_email_identity(EmailIdentity="byo.example.test")
    replica = rec.client("eu-west-2")
    replica.create_email_identity(
        EmailIdentity="example.test",
        DkimSigningAttributes={"DomainSigningAttributesOrigin": "AWS_SES_US_EAST_1"},
    )
    replica.get_email_identity(EmailIdentity="example.test")
    ses.put_email_identity_dkim_signing_attributes(
        EmailIdentity="new.example.test",
        SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )
    ses.put_email_identity_dkim_attributes(EmailIdentity="example.test", SigningEnabled=False)
    ses.put_email_identity_mail_from_attributes(
        EmailIdentity="new.example.test", MailFromDomain="m.new.example.test"
    )
    ses.send_email(
        FromEmailAddress="ops@example.test",
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Content=SIMPLE,
    )
    ses.delete_email_identity(EmailIdentity="new@example.test")
    rec.client("ap-south-1").put_account_details(
        MailType="MARKETING", WebsiteURL="https://x.test", ProductionAccessEnabled=True
    )


def _drive_v1(rec: Recorder) -> None:
    ses1 = rec.client()
    names = ["example.test", "ops@example.test", "unknown.test"]
    ses1.verify_email_identity(EmailAddress="v1@example.test")
    ses1.verify_domain_identity(Domain="v1.example.test")
    ses1.verify_domain_dkim(Domain="v1.example.test")
    ses1.get_identity_verification_attributes(Identities=names)
    ses1.get_identity_dkim_attributes(Identities=names)
    ses1.get_identity_mail_from_domain_attributes(Identities=names)
    ses1.list_identities(IdentityType="Domain", MaxItems=1000)
    ses1.get_send_quota()
    ses1.set_identity_dkim_enabled(Identity="example.test", DkimEnabled=True)
    ses1.delete_identity(Identity="v1@example.test")


def _provoke_errors(rec: Recorder) -> None:
    """Error answers sesops meets: each must be one the operation's model lists."""
    ses, reviewing = rec.client(), rec.client("ap-northeast-1")
    calls = [
        lambda: ses.get_email_identity(EmailIdentity="missing.test"),
        lambda: ses.create_email_identity(EmailIdentity="example.test"),
        lambda: ses.create_email_identity(EmailIdentity="not a name"),
        lambda: ses.list_email_identities(NextToken="%%%"),
        lambda: ses.send_email(
            FromEmailAddress="x@nowhere.test",
            Destination={"ToAddresses": ["a@b.test"]},
            Content=SIMPLE,
        ),
        lambda: reviewing.put_account_details(MailType="MARKETING", WebsiteURL="https://x.test"),
        lambda: ses.list_recommendations(PageSize=101),
    ]
    for i, call in enumerate(calls):
        with pytest.raises(ClientError):
            call()
            pytest.fail(f"call {i} was accepted")


def off_model(body: object, shape: Any, *, raw: bool) -> list[str]:
    """Departures from the output shape, less what real SES omits too."""
    return [
        e
        for e in shape_errors(shape, body, raw=raw)
        if not any(known in e for known in KNOWN_OMISSIONS)
    ]


@pytest.mark.parametrize(
    ("service", "drive", "operations"), [("sesv2", _drive_v2, 12), ("ses", _drive_v1, 10)]
)
def test_answers_conform_to_botocores_output_shapes(service, drive, operations):
    with run_emulator(_world()) as emu:
        recorder = Recorder(emu, service, raw=service == "sesv2")
        drive(recorder)
    assert len({op for op, _, _ in recorder.seen}) == operations
    problems = [
        f"{op}: {e}"
        for op, body, shape in recorder.seen
        for e in off_model(body, shape, raw=recorder.raw)
    ]
    assert problems == []


def test_v2_error_codes_are_ones_the_model_lists_for_the_operation():
    with run_emulator(_world()) as emu:
        recorder = Recorder(emu, "sesv2", raw=True)
        _provoke_errors(recorder)
    assert len(recorder.errors) == 7
    wrong = [
        (op, code) for op, code, listed in recorder.errors if code not in {*listed, *COMMON_ERRORS}
    ]
    assert wrong == []
