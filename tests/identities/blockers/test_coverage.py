"""Who may send: sesops' one rule (identities/blockers/coverage.py) against the table of
cases the emulator is tested with too (tests/ses_rule_cases.py), directly and through the
send check, as sender and as sandbox recipient."""

from __future__ import annotations

import pytest

from identities.blockers import coverage
from identities.blockers.engine import IdentityState
from identities.sendcheck.rules import check_send
from tests.identities.sendcheck.test_rules import PROD, SANDBOX
from tests.ses_rule_cases import COVER_CASES, CoverCase

SENDER = "ops@sender.test"


def _states(case: CoverCase) -> dict[str, IdentityState]:
    names = {**case.identities, "sender.test": "SUCCESS"}
    return {
        coverage.identity_key(name): IdentityState(
            name=name,
            kind="EMAIL_ADDRESS" if "@" in name else "DOMAIN",
            present=True,
            verification_status=status,
            sending_enabled=True,
        )
        for name, status in names.items()
    }


@pytest.mark.parametrize("case", COVER_CASES, ids=lambda c: c.id)
def test_the_most_specific_identity_decides(case: CoverCase) -> None:
    found = coverage.governing(case.address, _states(case))
    assert (found.name if found else None) == case.governing


@pytest.mark.parametrize("case", COVER_CASES, ids=lambda c: c.id)
def test_the_send_check_applies_it_to_senders_and_sandbox_recipients(case: CoverCase) -> None:
    states = _states(case)
    as_sender = check_send(
        sender=case.address, recipients=["a@elsewhere.test"], region=PROD, identities=states
    )
    as_recipient = check_send(
        sender=SENDER, recipients=[case.address], region=SANDBOX, identities=states
    )
    assert as_sender.accepted is case.allowed
    assert as_recipient.accepted is case.allowed
    if not case.allowed:
        assert as_recipient.message.endswith(f"US-EAST-1: {case.address}")


def test_candidates_are_most_specific_first() -> None:
    assert coverage.candidates("Ops+News@Mail.Example.TEST") == [
        "Ops+News@mail.example.test",
        "Ops@mail.example.test",
        "mail.example.test",
        "example.test",
    ]
