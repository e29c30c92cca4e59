"""The pure comparison of the serial SES saw with the serial served now (identities/dns/soa)."""

from __future__ import annotations

from identities.dns.soa import (
    LOOKED,
    NOT_YET,
    UNKNOWN,
    WENT_BACK,
    serial_before,
    serial_of,
    ses_look,
)


def test_serials_compare_in_rfc_1982_arithmetic_across_the_wrap() -> None:
    assert serial_before(1, 2) and not serial_before(2, 1) and not serial_before(5, 5)
    assert serial_before(2**32 - 10, 5)  # 5 comes after the wrap
    assert not serial_before(5, 2**32 - 10)


def test_the_serial_is_read_from_an_soa_in_presentation_form() -> None:
    assert serial_of("ns1.example. hostmaster.example. 2026112901 7200 900 1209600 300") == (
        2026112901
    )
    assert serial_of("garbage") is None
    assert serial_of("a. b. notanumber 1 2 3 4") is None


def test_ses_has_looked_when_it_saw_the_newest_serial_served() -> None:
    look = ses_look(seen=7, checked_at=None, served={"ns1": 7, "ns2": 7})
    assert (look.state, look.served, look.disagree) == (LOOKED, 7, False)
    assert look.text == "SES has looked since the zone last changed."


def test_an_older_serial_means_ses_has_not_looked_since_the_change() -> None:
    look = ses_look(seen=6, checked_at=None, served={"ns1": 7, "ns2": 6})
    assert (look.state, look.served) == (NOT_YET, 7)
    assert look.served_by == (("ns1", 7), ("ns2", 6))
    assert "re-checks on its own schedule" in look.text
    failed = ses_look(seen=6, checked_at=None, served={"ns1": 7}, verification_status="FAILED")
    assert "stopped looking when verification failed" in failed.text


def test_either_side_unknown_gives_a_neutral_verdict_that_says_which() -> None:
    no_ses = ses_look(seen=None, checked_at=None, served={"ns1": 7})
    assert no_ses.state == UNKNOWN and "SES has not reported the zone serial" in no_ses.text
    not_probed = ses_look(seen=3, checked_at=None, served=None)
    assert not_probed.state == UNKNOWN and "check DNS now" in not_probed.text
    no_zone = ses_look(seen=3, checked_at=None, served={})
    assert "found no zone" in no_zone.text
    silent = ses_look(seen=3, checked_at=None, served={"ns1": None})
    assert "no nameserver answered" in silent.text


def test_a_serial_that_went_back_cannot_tell() -> None:
    look = ses_look(seen=9, checked_at=None, served={"ns1": 4})
    assert look.state == WENT_BACK and "went back" in look.text


def test_what_ses_reported_carries_sesops_read_time_and_when_it_is_read_again() -> None:
    from datetime import UTC, datetime

    read = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    verified = ses_look(
        seen=6, checked_at=None, served={"ns1": 7}, verification_status="SUCCESS", read_at=read
    )
    assert verified.as_dict()["read_at"] == read
    assert "when sesops last read its view" in verified.text
    assert "only when the identity's DKIM changes, so SES may have looked since" in verified.reread
    pending = ses_look(seen=7, checked_at=None, served={"ns1": 7}, verification_status="PENDING")
    assert "when the verification status changes, or hourly" in pending.reread
