"""The send check agrees with an SES endpoint: sync the emulator, then for each send compare
our verdict and error text with what the emulator's SendEmail actually answers."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from identities.sendcheck.selectors import send_check
from identities.sync.run import sync_region
from tests.identities.ses_backends import region_for

pytestmark = pytest.mark.django_db

SANDBOX, PROD = "ap-southeast-2", "us-east-1"  # as the backends' scenario sets them

CASES = [
    # (region, sender, recipients)
    (SANDBOX, "admin@example.com", ["someone@example.net"]),  # the classic case
    (PROD, "admin@example.com", ["someone@example.net"]),
    (SANDBOX, "billing@example.org", ["admin@example.com"]),  # sender through its domain
    (SANDBOX, "admin@example.com", ["anyone@example.org", "success+x@simulator.amazonses.com"]),
    (SANDBOX, "stranger@example.net", ["a@example.net", "admin@example.com", "b@example.net"]),
    (PROD, "pending@example.com", ["a@example.net"]),
]


def ses_answer(backend, region: str, sender: str, recipients: list[str]) -> tuple[bool, str]:
    """What the endpoint answers; a send-rate throttle is waited out and retried, as a
    client does (the send check predicts verdicts, not the momentary rate)."""
    for _ in range(5):
        try:
            backend.client("sesv2", region).send_email(
                FromEmailAddress=sender,
                Destination={"ToAddresses": recipients},
                Content={"Simple": {"Subject": {"Data": "t"}, "Body": {"Text": {"Data": "t"}}}},
            )
        except ClientError as exc:
            error = exc.response["Error"]
            if error["Message"] == "Maximum sending rate exceeded.":
                time.sleep(1.0)
                continue
            return False, f"{error['Code']}: {error['Message']}"
        return True, ""
    raise AssertionError("still throttled after 5 s")


def test_send_check_matches_what_the_endpoint_answers(emulator_backend) -> None:
    for code in (SANDBOX, PROD):
        emulator_backend.add(code, "admin@example.com", "pending@example.com", "example.org")
        emulator_backend.set_status(code, "admin@example.com", "SUCCESS")
        emulator_backend.set_status(code, "example.org", "SUCCESS")
        region = region_for(emulator_backend, code)
        run = sync_region(region, trigger="test")
        assert not run.error, run.error
    account = region.account

    for region_code, sender, recipients in CASES:
        ours = send_check(account, region_code, sender, recipients)
        accepted, error = ses_answer(emulator_backend, region_code, sender, recipients)
        assert (ours.accepted, ours.error) == (accepted, error), (region_code, sender, recipients)
    # The classic case really is a rejection naming the recipient, region upper-cased.
    assert send_check(account, SANDBOX, "admin@example.com", ["someone@example.net"]).error == (
        "MessageRejected: Email address is not verified. The following identities failed the "
        "check in region AP-SOUTHEAST-2: someone@example.net"
    )


def _setup(backend, code: str):
    backend.add(code, "admin@example.com", "example.org")
    backend.set_status(code, "admin@example.com", "SUCCESS")
    backend.set_status(code, "example.org", "SUCCESS")
    return region_for(backend, code)


@pytest.mark.parametrize(
    ("condition", "expected_code"),
    [
        ({"sending_enabled": False}, "SendingPausedException"),
        ({"enforcement_status": "SHUTDOWN"}, "AccountSuspendedException"),
        ({"quota": {"max_24h": 200, "sent_last_24h": 200}}, "LimitExceededException"),
        ("mail_from_reject", "MailFromDomainNotVerifiedException"),
        ("mail_from_fallback", ""),
    ],
)
def test_account_and_mail_from_conditions_match_the_endpoint(
    emulator_backend, condition, expected_code: str
) -> None:
    region = _setup(emulator_backend, PROD)
    sender = "admin@example.org" if str(condition).startswith("mail_from") else "admin@example.com"
    if isinstance(condition, dict):
        emulator_backend.region_fault(PROD, **condition)
    else:
        # No MX is published for the MAIL FROM subdomain, so SES cannot verify it.
        emulator_backend.client("sesv2", PROD).put_email_identity_mail_from_attributes(
            EmailIdentity="example.org",
            MailFromDomain="bounce.example.org",
            BehaviorOnMxFailure="REJECT_MESSAGE"
            if condition == "mail_from_reject"
            else "USE_DEFAULT_VALUE",
        )
    run = sync_region(region, trigger="test")
    assert run.status in ("succeeded", "partial"), run.error

    ours = send_check(region.account, PROD, sender, ["someone@example.net"])
    accepted, error = ses_answer(emulator_backend, PROD, sender, ["someone@example.net"])
    assert ours.error_code == expected_code
    assert (ours.accepted, ours.error) == (accepted, error)
