"""SES's own advice (VDM recommendations) in the blockers engine: warnings, never blocks."""

from __future__ import annotations

from dataclasses import replace

from identities.blockers.advice import MESSAGE_LIMIT, Advice
from identities.blockers.engine import PUBLISH_DNS, blockers_for, cell_status
from tests.identities.blockers.test_engine import ADDRESS, DOMAIN, PROD

DKIM = Advice("DKIM", "HIGH", "DKIM is not fully set up: SES cannot find all CNAME records.")
BIMI = Advice("BIMI", "LOW", "No BIMI record.")


def _advice(blockers):
    return [b for b in blockers if b.code == "ses_recommendation"]


def test_a_high_impact_recommendation_warns_but_a_sending_domain_still_sends():
    blockers = blockers_for(replace(DOMAIN, advice=(DKIM,)), PROD)
    (warning,) = _advice(blockers)
    assert warning.severity == "warning" and not warning.blocking
    assert cell_status(blockers) == "warning"
    assert "DKIM signing (high impact)" in warning.message
    assert DKIM.description in warning.message
    assert warning.action == PUBLISH_DNS


def test_each_open_recommendation_is_its_own_warning_high_impact_first():
    blockers = blockers_for(replace(DOMAIN, advice=(BIMI, DKIM)), PROD)
    assert [b.message.split(" (")[0] for b in _advice(blockers)] == [
        "About DKIM signing",
        "About the BIMI record",
    ]


def test_an_address_gets_advice_without_a_dns_action():
    complaint = Advice("COMPLAINT", "HIGH", "Complaint rate is high.")
    (warning,) = _advice(blockers_for(replace(ADDRESS, advice=(complaint,)), PROD))
    assert warning.action is None
    assert "recipients" in warning.remedy or "receives" in warning.remedy


def test_no_recommendation_no_warning():
    assert blockers_for(DOMAIN, PROD) == []


def test_a_long_description_is_cut_in_the_warning_the_page_shows_it_whole():
    long = Advice("SPF", "LOW", "word " * 200)
    (warning,) = _advice(blockers_for(replace(DOMAIN, advice=(long,)), PROD))
    assert warning.message.endswith("…")
    assert len(warning.message) < MESSAGE_LIMIT + 40
