"""SendEmail's rules beyond who is covered: Return-Path, addresses as given, the mailbox
simulator and the quota, paused sending's text, the maximum send rate."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import SIMPLE, error_code

VERIFIED = {"name": "example.test", "status": "SUCCESS", "pin": True}


def _world(**region) -> dict:
    region.setdefault("identities", [VERIFIED])
    return {"accounts": [{"id": "000000000000", "regions": {"us-east-1": region}}]}


def _send(client, source="ops@example.test", to=("x@example.test",), **extra):
    return client.send_email(
        FromEmailAddress=source, Destination={"ToAddresses": list(to)}, Content=SIMPLE, **extra
    )


def test_an_unverified_return_path_is_rejected_like_a_sender():
    with run_emulator(_world(production=True)) as emu:
        ses, ses1 = emu.client("sesv2"), emu.client("ses")
        with pytest.raises(ClientError) as exc:
            _send(ses, FeedbackForwardingEmailAddress="bounces@elsewhere.test")
        assert exc.value.response["Error"]["Message"].endswith(": bounces@elsewhere.test")
        with pytest.raises(ClientError) as exc:
            ses1.send_email(
                Source="ops@example.test",
                Destination={"ToAddresses": ["x@example.test"]},
                Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
                ReturnPath="bounces@elsewhere.test",
            )
        assert error_code(exc) == "MessageRejected"
        assert _send(ses, FeedbackForwardingEmailAddress="bounces@mail.example.test")


def test_the_rejection_lists_addresses_as_given_with_display_names_and_case():
    with run_emulator(_world()) as emu, pytest.raises(ClientError) as exc:
        _send(emu.client("sesv2"), to=['"Jane Doe" <Jane@Other.test>', "Bob@other.test"])
    assert exc.value.response["Error"]["Message"] == (
        "Email address is not verified. The following identities failed the check in region "
        'US-EAST-1: "Jane Doe" <Jane@Other.test>, Bob@other.test'
    )


def test_the_mailbox_simulator_does_not_count_against_the_daily_quota():
    world = _world(production=True, quota={"max_24h": 1, "max_send_rate": 100})
    with run_emulator(world) as emu:
        ses = emu.client("sesv2")
        for _ in range(3):
            _send(ses, to=["success+a@simulator.amazonses.com"])
        assert ses.get_account()["SendQuota"]["SentLast24Hours"] == 0.0
        _send(ses)
        with pytest.raises(ClientError) as exc:
            _send(ses)
        assert error_code(exc) == "LimitExceededException"


def test_paused_sending_answers_ses_observed_text_in_v1_and_v2():
    with run_emulator(_world(production=True, sending_enabled=False)) as emu:
        with pytest.raises(ClientError) as v2:
            _send(emu.client("sesv2"))
        with pytest.raises(ClientError) as v1:
            emu.client("ses").send_email(
                Source="ops@example.test",
                Destination={"ToAddresses": ["x@example.test"]},
                Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
            )
    text = (
        "Sending paused for this account. For more information, please check the inbox of "
        "the email address associated with your AWS account."
    )
    assert (error_code(v2), v2.value.response["Error"]["Message"]) == (
        "SendingPausedException",
        text,
    )
    assert (error_code(v1), v1.value.response["Error"]["Message"]) == ("MessageRejected", text)


def test_sending_faster_than_max_send_rate_is_throttled_with_ses_error():
    world = _world(production=True, quota={"max_24h": 1000, "max_send_rate": 2})
    with run_emulator(world) as emu:
        ses, ses1 = emu.client("sesv2"), emu.client("ses")
        _send(ses, to=["a@example.test", "b@example.test"])  # two recipients: the whole second
        with pytest.raises(ClientError) as exc:
            _send(ses)
        assert error_code(exc) == "TooManyRequestsException"
        assert exc.value.response["Error"]["Message"] == "Maximum sending rate exceeded."
        with pytest.raises(ClientError) as exc:
            ses1.send_email(
                Source="ops@example.test",
                Destination={"ToAddresses": ["x@example.test"]},
                Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
            )
        assert error_code(exc) == "Throttling"
        assert ses.get_account()["SendQuota"]["SentLast24Hours"] == 2.0
