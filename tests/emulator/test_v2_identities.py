"""SES v2 identity operations through boto3, as sesops calls them."""

from __future__ import annotations

import base64
import re

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.testing import run_emulator
from tests.emulator.conftest import ZONE, error_code

TOKEN = re.compile(r"^[a-z2-7]{32}$")


def test_it_creates_a_domain_with_three_dkim_tokens_per_region(emu, ses):
    out = ses.create_email_identity(EmailIdentity="example.test")
    assert out["IdentityType"] == "DOMAIN"
    assert out["VerifiedForSendingStatus"] is False
    dkim = out["DkimAttributes"]
    assert dkim["Status"] == "PENDING"
    assert dkim["SigningAttributesOrigin"] == "AWS_SES"
    assert dkim["SigningHostedZone"] == "dkim.amazonses.com"
    assert len(dkim["Tokens"]) == 3 and all(TOKEN.match(t) for t in dkim["Tokens"])
    other = emu.client("sesv2", region_name="eu-west-1").create_email_identity(
        EmailIdentity="example.test"
    )
    assert set(other["DkimAttributes"]["Tokens"]).isdisjoint(dkim["Tokens"])


def test_it_gets_an_identity_with_all_fields_sesops_reads(ses):
    ses.create_email_identity(EmailIdentity="example.test")
    got = ses.get_email_identity(EmailIdentity="example.test")
    assert got["IdentityType"] == "DOMAIN"
    assert got["VerificationStatus"] == "PENDING"
    assert got["MailFromAttributes"]["BehaviorOnMxFailure"] == "USE_DEFAULT_VALUE"
    assert got["VerificationInfo"]["ErrorType"] == "HOST_NOT_FOUND"
    assert got["VerificationInfo"]["SOARecord"]["PrimaryNameServer"] == "ns1.dns.example"
    assert got["DkimAttributes"]["CurrentSigningKeyLength"] == "RSA_2048_BIT"


def test_it_creates_an_email_identity_pending_and_sends_a_verification_mail(emu, ses):
    out = ses.create_email_identity(EmailIdentity="Ann@Example.test")
    assert out["IdentityType"] == "EMAIL_ADDRESS"
    assert ses.get_email_identity(EmailIdentity="Ann@example.test")["VerificationStatus"] == (
        "PENDING"
    )
    mail = emu.mail(to="Ann@example.test")
    assert len(mail) == 1 and mail[0]["link"].startswith(emu.url + "/_emulator/verify/")


def test_it_answers_already_exists_for_a_duplicate(ses):
    ses.create_email_identity(EmailIdentity="example.test")
    with pytest.raises(ClientError) as exc:
        ses.create_email_identity(EmailIdentity="EXAMPLE.test")
    assert error_code(exc) == "AlreadyExistsException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    "name", ["not a domain", "a@b", "@example.test", "x..y@example.test", "-a.test", "localhost"]
)
def test_it_rejects_invalid_identity_names(ses, name):
    with pytest.raises(ClientError) as exc:
        ses.create_email_identity(EmailIdentity=name)
    assert error_code(exc) == "BadRequestException"


def test_it_answers_not_found_for_unknown_identities(ses):
    for call in (ses.get_email_identity, ses.delete_email_identity):
        with pytest.raises(ClientError) as exc:
            call(EmailIdentity="nothing.test")
        assert error_code(exc) == "NotFoundException"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_it_deletes_an_identity(ses):
    ses.create_email_identity(EmailIdentity="a@example.test")
    ses.delete_email_identity(EmailIdentity="a@example.test")
    assert ses.list_email_identities()["EmailIdentities"] == []


def test_it_pages_over_more_than_1000_identities_without_loss():
    names = [f"user{i:05d}@example.test" for i in range(1500)] + ["example.test"]
    scenario = {
        "zones": [ZONE],
        "accounts": [
            {
                "id": "000000000000",
                "regions": {"us-east-1": {"identities": [{"name": n} for n in names]}},
            }
        ],
    }
    with run_emulator(scenario) as emu:
        ses = emu.client("sesv2")
        seen, token, pages = [], None, 0
        while True:
            kw = {"PageSize": 1000} | ({"NextToken": token} if token else {})
            page = ses.list_email_identities(**kw)
            seen += [i["IdentityName"] for i in page["EmailIdentities"]]
            pages += 1
            token = page.get("NextToken")
            if not token:
                break
        assert pages == 2 and sorted(seen) == sorted(names) and len(seen) == len(set(seen))
        item = page["EmailIdentities"][-1]
        assert set(item) == {"IdentityType", "IdentityName", "SendingEnabled", "VerificationStatus"}


def test_it_rejects_a_page_size_over_1000_and_a_garbage_token(ses):
    for kw in ({"PageSize": 1001}, {"NextToken": "%%%not-a-token"}):
        with pytest.raises(ClientError) as exc:
            ses.list_email_identities(**kw)
        assert error_code(exc) == "BadRequestException"


def _private_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode(), base64.b64encode(spki).decode()


def test_it_sets_byodkim_and_verifies_it_when_the_txt_record_is_published(emu, ses):
    private, public = _private_key()
    ses.create_email_identity(EmailIdentity="example.test")
    out = ses.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.test",
        SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "sel1", "DomainSigningPrivateKey": private},
    )
    assert out["DkimStatus"] == "PENDING" and out["DkimTokens"] == ["sel1"]
    # Split in 255-character strings as a long key must be; the emulator joins them.
    text = f"v=DKIM1; k=rsa; p={public}"
    value = " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))
    emu.store.add_record("sel1._domainkey.example.test", "TXT", value)
    got = ses.get_email_identity(EmailIdentity="example.test")
    assert got["DkimAttributes"]["SigningAttributesOrigin"] == "EXTERNAL"
    assert got["DkimAttributes"]["Status"] == "SUCCESS"
    assert got["VerificationStatus"] == "SUCCESS"


def test_it_creates_byodkim_directly_and_rejects_a_bad_key(ses):
    private, _ = _private_key()
    out = ses.create_email_identity(
        EmailIdentity="example.test",
        DkimSigningAttributes={"DomainSigningSelector": "s2", "DomainSigningPrivateKey": private},
    )
    assert out["DkimAttributes"]["SigningAttributesOrigin"] == "EXTERNAL"
    with pytest.raises(ClientError) as exc:
        ses.put_email_identity_dkim_signing_attributes(
            EmailIdentity="example.test",
            SigningAttributesOrigin="EXTERNAL",
            SigningAttributes={"DomainSigningSelector": "s3", "DomainSigningPrivateKey": "QUJD"},
        )
    assert error_code(exc) == "BadRequestException"


REPLICATE_US_EAST_1 = {"DomainSigningAttributesOrigin": "AWS_SES_US_EAST_1"}


def test_it_makes_a_deed_replica_that_shows_and_checks_its_parent_tokens(emu, ses):
    parent = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    emu.control("POST", "identities/000000000000/us-east-1/example.test", {"publish": ["dkim"]})
    replica = emu.client("sesv2", region_name="eu-west-2")
    out = replica.create_email_identity(
        EmailIdentity="example.test", DkimSigningAttributes=REPLICATE_US_EAST_1
    )
    assert out["DkimAttributes"]["SigningAttributesOrigin"] == "AWS_SES_US_EAST_1"
    assert out["DkimAttributes"]["Tokens"] == parent
    assert (
        replica.get_email_identity(EmailIdentity="example.test")["VerificationStatus"] == "SUCCESS"
    )


def _parent_unverified(emu, ses):
    ses.create_email_identity(EmailIdentity="example.test")


def _parent_byodkim(emu, ses):
    ses.create_email_identity(
        EmailIdentity="example.test",
        DkimSigningAttributes={
            "DomainSigningSelector": "s1",
            "DomainSigningPrivateKey": _private_key()[0],
        },
    )


def _parent_is_a_replica(emu, ses):
    _parent_verified(emu, emu.client("sesv2", region_name="ap-south-1"))
    ses.create_email_identity(
        EmailIdentity="example.test",
        DkimSigningAttributes={"DomainSigningAttributesOrigin": "AWS_SES_AP_SOUTH_1"},
    )


def _parent_verified(emu, client):
    client.create_email_identity(EmailIdentity="example.test")
    region = client.meta.region_name
    emu.control("POST", f"identities/000000000000/{region}/example.test", {"publish": ["dkim"]})


@pytest.mark.parametrize(
    ("make_parent", "code", "reason"),
    [
        (None, "NotFoundException", "REPLICATION_PRIMARY_NOT_FOUND"),
        (_parent_unverified, "BadRequestException", "is not verified"),
        (_parent_byodkim, "BadRequestException", "REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED"),
        (
            _parent_is_a_replica,
            "BadRequestException",
            "REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED",
        ),
    ],
)
def test_it_refuses_a_deed_replica_of_a_parent_ses_would_refuse(
    emu, ses, make_parent, code, reason
):
    if make_parent is not None:
        make_parent(emu, ses)
    replica = emu.client("sesv2", region_name="eu-west-2")
    with pytest.raises(ClientError) as exc:
        replica.create_email_identity(
            EmailIdentity="example.test", DkimSigningAttributes=REPLICATE_US_EAST_1
        )
    assert error_code(exc) == code and reason in exc.value.response["Error"]["Message"]
    assert replica.list_email_identities()["EmailIdentities"] == []


def test_it_refuses_a_replica_of_its_own_region(emu, ses):
    _parent_verified(emu, ses)
    with pytest.raises(ClientError) as exc:
        ses.put_email_identity_dkim_signing_attributes(
            EmailIdentity="example.test", SigningAttributesOrigin="AWS_SES_US_EAST_1"
        )
    assert "REPLICATION_PRIMARY_INVALID_REGION" in exc.value.response["Error"]["Message"]


def test_it_refuses_to_delete_a_parent_that_still_has_replicas(emu, ses, ses1):
    _parent_verified(emu, ses)
    replica = emu.client("sesv2", region_name="eu-west-2")
    replica.create_email_identity(
        EmailIdentity="example.test", DkimSigningAttributes=REPLICATE_US_EAST_1
    )
    for delete in (
        lambda: ses.delete_email_identity(EmailIdentity="example.test"),
        lambda: ses1.delete_identity(Identity="example.test"),
    ):
        with pytest.raises(ClientError) as exc:
            delete()
        assert "eu-west-2" in exc.value.response["Error"]["Message"]
    replica.delete_email_identity(EmailIdentity="example.test")
    ses.delete_email_identity(EmailIdentity="example.test")
    assert ses.list_email_identities()["EmailIdentities"] == []


def test_it_reports_a_deed_replica_whose_primary_is_gone():
    """A scenario can hold what the API refuses: the replica then says why, as SES does."""
    scenario = {
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "eu-west-2": {
                        "identities": [{"name": "example.test", "dkim_origin": "AWS_SES_US_EAST_1"}]
                    }
                },
            }
        ]
    }
    with run_emulator(scenario) as emu:
        got = emu.client("sesv2", region_name="eu-west-2").get_email_identity(
            EmailIdentity="example.test"
        )
    assert got["VerificationInfo"]["ErrorType"] == "REPLICATION_PRIMARY_NOT_FOUND"


def test_it_verifies_a_custom_mail_from_when_its_mx_is_published(emu, ses):
    ses.create_email_identity(EmailIdentity="example.test")
    ses.put_email_identity_mail_from_attributes(
        EmailIdentity="example.test",
        MailFromDomain="bounce.example.test",
        BehaviorOnMxFailure="REJECT_MESSAGE",
    )
    mf = ses.get_email_identity(EmailIdentity="example.test")["MailFromAttributes"]
    assert mf == {
        "MailFromDomain": "bounce.example.test",
        "MailFromDomainStatus": "PENDING",
        "BehaviorOnMxFailure": "REJECT_MESSAGE",
    }
    emu.store.add_record("bounce.example.test", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")
    assert _mail_from_status(ses) == "SUCCESS"


@pytest.mark.parametrize(
    ("mx", "status"),
    [
        # One MAIL FROM domain may serve several regions with one MX naming any SES
        # region's feedback endpoint (SES forwards bounces to the region that sent).
        (["10 feedback-smtp.eu-west-1.amazonses.com"], "SUCCESS"),
        (["10 feedback-smtp.ap-southeast-5.amazonses.com."], "SUCCESS"),
        (["10 inbound-smtp.us-east-1.amazonaws.com"], "PENDING"),  # SES's receiving endpoint
        (["10 mx1.example.test"], "PENDING"),  # the domain's own mail servers
        (["10 feedback-smtp.nowhere-9.amazonses.com"], "PENDING"),  # not an SES region
        (
            [
                "10 feedback-smtp.us-east-1.amazonses.com",
                "20 feedback-smtp.eu-west-1.amazonses.com",
            ],
            "PENDING",
        ),  # two MX records
    ],
)
def test_mail_from_is_verified_by_one_mx_naming_any_ses_regions_feedback_endpoint(
    emu, ses, mx, status
):
    ses.create_email_identity(EmailIdentity="example.test")
    ses.put_email_identity_mail_from_attributes(
        EmailIdentity="example.test", MailFromDomain="bounce.example.test"
    )
    for value in mx:
        emu.store.add_record("bounce.example.test", "MX", value)
    assert _mail_from_status(ses) == status


def _mail_from_status(ses) -> str:
    got = ses.get_email_identity(EmailIdentity="example.test")["MailFromAttributes"]
    return got["MailFromDomainStatus"]


def test_it_rejects_a_mail_from_outside_the_domain(ses):
    ses.create_email_identity(EmailIdentity="example.test")
    with pytest.raises(ClientError) as exc:
        ses.put_email_identity_mail_from_attributes(
            EmailIdentity="example.test", MailFromDomain="mail.other.test"
        )
    assert error_code(exc) == "BadRequestException"
