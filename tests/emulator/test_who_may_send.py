"""The emulator decides who may send as SES does: the shared table of cases, through
SendEmail, for the sender (any region) and for a sandbox recipient."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import SIMPLE
from tests.ses_rule_cases import COVER_CASES, CoverCase

SENDER = "ops@sender.test"


def _world(case: CoverCase) -> dict:
    idents = [{"name": n, "status": s, "pin": True} for n, s in case.identities.items()]
    sender = {"name": "sender.test", "status": "SUCCESS", "pin": True}
    return {
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {"production": True, "identities": idents},
                    "eu-west-1": {"identities": [*idents, sender]},
                },
            }
        ]
    }


def _accepted(client, source: str, to: str) -> bool:
    try:
        client.send_email(
            FromEmailAddress=source, Destination={"ToAddresses": [to]}, Content=SIMPLE
        )
    except ClientError as exc:
        error = exc.response["Error"]
        assert error["Code"] == "MessageRejected"
        assert "failed the check in region" in error["Message"]
        return False
    return True


@pytest.mark.parametrize("case", COVER_CASES, ids=lambda c: c.id)
def test_sender_and_sandbox_recipient_follow_the_most_specific_identity(case: CoverCase):
    with run_emulator(_world(case)) as emu:
        production = emu.client("sesv2", region_name="us-east-1")
        sandbox = emu.client("sesv2", region_name="eu-west-1")
        assert _accepted(production, case.address, "anyone@elsewhere.test") is case.allowed
        assert _accepted(sandbox, SENDER, case.address) is case.allowed
