"""Fixtures for the SES emulator's tests: a running emulator with one DNS zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.testing import RunningEmulator, run_emulator

ZONE = {
    "origin": "example.test",
    "nameservers": {"ns1.dns.example": "127.0.0.2", "ns2.dns.example": "127.0.0.3"},
}
SIMPLE = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    """A sandbox world (unlimited rate) with the zone example.test and nothing in it."""
    with run_emulator({"zones": [ZONE]}) as running:
        yield running


@pytest.fixture
def ses(emu: RunningEmulator) -> Any:
    return emu.client("sesv2")


@pytest.fixture
def ses1(emu: RunningEmulator) -> Any:
    return emu.client("ses")


def error_code(exc_info: Any) -> str:
    return exc_info.value.response["Error"]["Code"]
