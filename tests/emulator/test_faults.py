"""Rate limit, latency, down and denied regions, and the request counters."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from emulator.testing import run_emulator
from tests.emulator.conftest import SIMPLE, error_code

LIMITED = {"rate_limit": {"rps": 1, "burst": 1}}


def test_the_default_rate_is_one_request_per_second_with_429_beyond():
    with run_emulator(LIMITED) as emu:
        ses = emu.client("sesv2")
        ses.get_account()
        with pytest.raises(ClientError) as exc:
            ses.get_account()
        assert error_code(exc) == "TooManyRequestsException"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        time.sleep(1.05)
        ses.get_account()  # the bucket refilled
        stats = emu.control("GET", "stats")
        assert stats["total"] == 3 and stats["throttled_total"] == 1


def test_v1_throttling_is_a_400_throttling_error():
    with run_emulator(LIMITED) as emu:
        ses1 = emu.client("ses")
        ses1.get_send_quota()
        with pytest.raises(ClientError) as exc:
            ses1.list_identities()
        assert error_code(exc) == "Throttling"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_bucket_is_per_account_and_region_and_sending_is_not_limited():
    scenario = {**LIMITED, "accounts": [{"id": "111111111111", "access_keys": ["AKIAONE"]}]}
    with run_emulator(scenario) as emu:
        emu.client("sesv2").get_account()
        emu.client("sesv2", region_name="eu-west-1").get_account()
        emu.client("sesv2", access_key="AKIAONE").get_account()
        with pytest.raises(ClientError):  # an unknown key is the same default account
            emu.client("sesv2", access_key="AKIAUNKNOWN").get_account()
        emu.control("POST", "regions/000000000000/us-east-1", {"production": True})
        emu.control(
            "POST",
            "identities/000000000000/us-east-1/me@example.test",
            {"create": True, "verification_status": "SUCCESS"},
        )
        ses = emu.client("sesv2")
        send = {
            "FromEmailAddress": "me@example.test",
            "Destination": {"ToAddresses": ["a@b.example"]},
            "Content": SIMPLE,
        }
        for _ in range(3):
            ses.send_email(**send)


def test_rate_is_configurable_per_region_at_run_time(emu):
    emu.control("POST", "regions/000000000000/eu-west-1", {"rps": 1, "burst": 2})
    eu = emu.client("sesv2", region_name="eu-west-1")
    eu.get_account()
    eu.get_account()
    with pytest.raises(ClientError):
        eu.get_account()
    us = emu.client("sesv2")
    for _ in range(5):
        us.get_account()  # us-east-1 keeps the unlimited global setting


def test_a_down_region_answers_5xx_or_drops_the_connection(emu):
    ses = emu.client("sesv2", region_name="eu-west-1")
    emu.control("POST", "regions/000000000000/eu-west-1", {"down": "5xx"})
    with pytest.raises(ClientError) as exc:
        ses.get_account()
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    with pytest.raises(ClientError) as exc:
        emu.client("ses", region_name="eu-west-1").get_send_quota()
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    emu.control("POST", "regions/000000000000/eu-west-1", {"down": "refuse"})
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        ses.get_account()
    emu.control("POST", "regions/000000000000/eu-west-1", {"down": None})
    assert ses.get_account()["SendingEnabled"] is True
    assert emu.client("sesv2").get_account()["SendingEnabled"] is True  # other regions unaffected


def test_a_denied_region_answers_access_denied(emu):
    emu.control("POST", "regions/000000000000/us-east-1", {"denied": True})
    with pytest.raises(ClientError) as exc:
        emu.client("sesv2").get_account()
    assert error_code(exc) == "AccessDeniedException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as exc:
        emu.client("ses").get_send_quota()
    assert error_code(exc) == "AccessDenied"


def test_latency_is_added_per_region(emu):
    emu.control("POST", "regions/000000000000/us-east-1", {"latency_ms": 200})
    ses = emu.client("sesv2")
    start = time.monotonic()
    ses.get_account()
    assert time.monotonic() - start >= 0.2


def test_stats_count_per_account_region_operation_and_reset(emu):
    emu.client("sesv2").get_account()
    emu.client("sesv2", region_name="eu-west-1").list_email_identities()
    emu.client("ses", region_name="eu-west-1").list_identities()
    counts = {
        (r["account"], r["region"], r["operation"]): r["count"]
        for r in emu.control("GET", "stats")["counts"]
    }
    assert counts == {
        ("000000000000", "us-east-1", "GetAccount"): 1,
        ("000000000000", "eu-west-1", "ListEmailIdentities"): 1,
        ("000000000000", "eu-west-1", "ListIdentities"): 1,
    }
    emu.control("POST", "stats/reset")
    assert emu.control("GET", "stats")["total"] == 0
