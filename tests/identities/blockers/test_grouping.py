"""One root cause, one line: the pages group the engine's blockers under their cause."""

from __future__ import annotations

from identities.blockers.grouping import count_causes, group_blockers
from identities.blockers.types import BLOCKING, WARNING, Blocker


def _b(code: str, severity=BLOCKING) -> Blocker:
    return Blocker(code, severity, f"{code} message", f"{code} remedy")


def test_missing_dkim_records_are_one_cause_with_what_follows_from_them():
    blockers = [
        _b("verification_pending"),
        _b("dns_missing"),
        _b("sandbox", WARNING),
        _b("dkim_pending", WARNING),
    ]
    groups = group_blockers(blockers)
    assert [(g.code, [c.code for c in g.consequences]) for g in groups] == [
        ("dns_missing", ["verification_pending", "dkim_pending"]),
        ("sandbox", []),
    ]
    assert count_causes(blockers) == (1, 1)  # "Blocked", not "Blocked x4"


def test_without_a_dns_cause_pending_stands_on_its_own():
    blockers = [_b("dkim_pending", WARNING), _b("verification_pending")]
    groups = group_blockers(blockers)
    assert [g.code for g in groups] == ["verification_pending", "dkim_pending"]  # blocking first
    assert all(not g.consequences for g in groups)
    assert count_causes(blockers) == (1, 1)


def test_a_warning_cause_blocks_when_what_follows_from_it_blocks():
    groups = group_blockers([_b("dns_partial", WARNING), _b("verification_pending")])
    assert len(groups) == 1 and groups[0].blocking


def test_unrelated_blockers_each_keep_their_line_and_rule_codes_are_unchanged():
    blockers = [_b("verification_failed"), _b("sending_paused"), _b("stale", WARNING)]
    assert [g.code for g in group_blockers(blockers)] == [
        "verification_failed",
        "sending_paused",
        "stale",
    ]
    assert count_causes(blockers) == (2, 1)
