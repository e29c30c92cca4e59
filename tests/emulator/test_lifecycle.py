"""Identity lifecycle: DNS-driven domain and DKIM status, verification links, the 72 h clock."""

from __future__ import annotations

import pytest

from emulator.testing import ControlError, run_emulator
from tests.emulator.conftest import ZONE

HOUR = 3600


def _status(ses, name="example.test"):
    got = ses.get_email_identity(EmailIdentity=name)
    return got["VerificationStatus"], got["DkimAttributes"]["Status"]


def _publish(emu, tokens, skip=()):
    for i, t in enumerate(tokens):
        if i not in skip:
            emu.store.add_record(f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com")


def test_a_domain_goes_success_when_its_three_cnames_are_published(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    _publish(emu, tokens, skip=(2,))
    assert _status(ses) == ("PENDING", "PENDING")
    _publish(emu, tokens[2:])
    assert _status(ses) == ("SUCCESS", "SUCCESS")
    got = ses.get_email_identity(EmailIdentity="example.test")
    assert got["VerifiedForSendingStatus"] is True
    assert "ErrorType" not in got["VerificationInfo"]
    assert got["VerificationInfo"]["LastSuccessTimestamp"]


def test_a_cname_with_the_wrong_target_is_an_invalid_value(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    for t in tokens:  # zone name appended twice: a mistake seen in the wild
        emu.store.add_record(
            f"{t}._domainkey.example.test", "CNAME", f"{t}.dkim.amazonses.com.example.test"
        )
    got = ses.get_email_identity(EmailIdentity="example.test")
    assert got["VerificationStatus"] == "PENDING"
    assert got["VerificationInfo"]["ErrorType"] == "INVALID_VALUE"


def test_a_domain_fails_after_72_hours_without_records(emu, ses):
    ses.create_email_identity(EmailIdentity="example.test")
    emu.advance(71 * HOUR)
    assert _status(ses) == ("PENDING", "PENDING")
    emu.advance(2 * HOUR)
    assert _status(ses) == ("FAILED", "FAILED")


def test_the_timeout_is_configurable():
    with run_emulator({"zones": [ZONE], "verification_timeout_hours": 1}) as emu:
        ses = emu.client("sesv2")
        ses.create_email_identity(EmailIdentity="example.test")
        emu.advance(HOUR + 1)
        assert _status(ses) == ("FAILED", "FAILED")


def test_a_verified_domain_whose_records_vanish_goes_temporary_failure_then_failed(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    _publish(emu, tokens)
    assert _status(ses) == ("SUCCESS", "SUCCESS")
    emu.store.remove_records(f"{tokens[0]}._domainkey.example.test")
    assert _status(ses) == ("TEMPORARY_FAILURE", "TEMPORARY_FAILURE")
    _publish(emu, tokens[:1])
    assert _status(ses) == ("SUCCESS", "SUCCESS")
    emu.store.remove_records(f"{tokens[0]}._domainkey.example.test")
    assert _status(ses)[0] == "TEMPORARY_FAILURE"
    emu.advance(73 * HOUR)
    assert _status(ses) == ("FAILED", "FAILED")


def test_records_in_an_undelegated_zone_do_not_count(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="sub.example.test")["DkimAttributes"]["Tokens"]
    emu.control(
        "POST",
        "dns",
        {
            "zones": [
                {
                    "origin": "sub.example.test",
                    "nameservers": {"ns9.x": "127.0.0.9"},
                    "delegated": False,
                }
            ]
        },
    )
    for t in tokens:
        emu.store.add_record(f"{t}._domainkey.sub.example.test", "CNAME", f"{t}.dkim.amazonses.com")
    assert _status(ses, "sub.example.test")[0] == "PENDING"


def test_the_legacy_amazonses_txt_verifies_the_domain(emu, ses1, ses):
    token = ses1.verify_domain_identity(Domain="example.test")["VerificationToken"]
    emu.store.add_record("_amazonses.example.test", "TXT", f'"{token}"')
    assert _status(ses) == ("SUCCESS", "PENDING")


def test_a_dns_fault_is_a_dns_server_error(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    _publish(emu, tokens)
    emu.store.set_fault(f"{tokens[1]}._domainkey.example.test", "servfail")
    got = ses.get_email_identity(EmailIdentity="example.test")
    assert got["VerificationStatus"] == "PENDING"
    assert got["VerificationInfo"]["ErrorType"] == "DNS_SERVER_ERROR"


def test_clicking_the_link_verifies_an_address(emu, ses):
    ses.create_email_identity(EmailIdentity="ann@example.test")
    answer = emu.click("ann@example.test")
    assert answer["ok"] is True
    got = ses.get_email_identity(EmailIdentity="ann@example.test")
    assert got["VerificationStatus"] == "SUCCESS" and got["VerifiedForSendingStatus"] is True


def test_an_unclicked_link_expires_after_24_hours_and_the_address_fails(emu, ses):
    ses.create_email_identity(EmailIdentity="ann@example.test")
    emu.advance(25 * HOUR)
    assert (
        ses.get_email_identity(EmailIdentity="ann@example.test")["VerificationStatus"] == "FAILED"
    )
    link = emu.mail(to="ann@example.test")[-1]["token"]
    with pytest.raises(ControlError) as exc:
        emu.control("GET", f"verify/{link}")
    assert exc.value.status == 410


def test_v1_resend_gives_a_fresh_link_to_a_failed_address(emu, ses, ses1):
    ses.create_email_identity(EmailIdentity="ann@example.test")
    emu.advance(25 * HOUR)
    ses1.verify_email_identity(EmailAddress="ann@example.test")
    assert (
        ses.get_email_identity(EmailIdentity="ann@example.test")["VerificationStatus"] == "PENDING"
    )
    assert len(emu.mail(to="ann@example.test")) == 2
    emu.click("ann@example.test")
    assert (
        ses.get_email_identity(EmailIdentity="ann@example.test")["VerificationStatus"] == "SUCCESS"
    )


def test_an_address_identity_of_its_own_decides_even_under_a_verified_domain(emu, ses):
    """The most specific identity's status applies: a PENDING address identity under a
    verified domain is not verified for sending until its own link is clicked."""
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    ses.create_email_identity(EmailIdentity="bob@example.test")
    _publish(emu, tokens)
    got = ses.get_email_identity(EmailIdentity="bob@example.test")
    assert got["VerifiedForSendingStatus"] is False and got["VerificationStatus"] == "PENDING"
    emu.click("bob@example.test")
    got = ses.get_email_identity(EmailIdentity="bob@example.test")
    assert got["VerifiedForSendingStatus"] is True and got["VerificationStatus"] == "SUCCESS"


def test_control_api_pins_and_unpins_a_status(emu, ses):
    ses.create_email_identity(EmailIdentity="example.test")
    path = "identities/000000000000/us-east-1/example.test"
    emu.control("POST", path, {"verification_status": "TEMPORARY_FAILURE", "dkim_status": "FAILED"})
    assert _status(ses) == ("TEMPORARY_FAILURE", "FAILED")
    emu.control(
        "POST", path, {"verification_status": None, "dkim_status": None, "publish": ["dkim"]}
    )
    assert _status(ses) == ("SUCCESS", "SUCCESS")


def test_failed_is_final_until_verification_is_restarted(emu, ses, ses1):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    emu.advance(73 * HOUR)
    assert _status(ses) == ("FAILED", "FAILED")
    _publish(emu, tokens)
    assert _status(ses) == ("FAILED", "FAILED")  # SES stopped looking
    out = ses.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.test", SigningAttributesOrigin="AWS_SES"
    )
    assert out["DkimStatus"] == "SUCCESS"
    assert _status(ses) == ("SUCCESS", "SUCCESS")


def test_v1_verify_domain_dkim_and_the_control_api_restart_a_failed_domain(emu, ses, ses1):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    emu.advance(73 * HOUR)
    assert ses1.verify_domain_dkim(Domain="example.test")["DkimTokens"] == tokens
    assert _status(ses) == ("PENDING", "PENDING")
    emu.advance(73 * HOUR)
    assert _status(ses)[0] == "FAILED"
    emu.control("POST", "identities/000000000000/us-east-1/example.test", {"restart": True})
    assert _status(ses) == ("PENDING", "PENDING")


def _soa(ses, name="example.test"):
    return ses.get_email_identity(EmailIdentity=name)["VerificationInfo"].get("SOARecord")


def test_ses_reports_the_zone_serial_it_saw_at_its_last_check(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    before = _soa(ses)
    assert before["PrimaryNameServer"] == "ns1.dns.example"
    _publish(emu, tokens)  # three changes: the zone's serial moves with each
    after = _soa(ses)
    assert after["SerialNumber"] == before["SerialNumber"] + 3
    assert after["SerialNumber"] == emu.store.published_serial("example.test")


def test_a_failed_domain_keeps_the_serial_it_saw_when_the_zone_changes_later(emu, ses):
    tokens = ses.create_email_identity(EmailIdentity="example.test")["DkimAttributes"]["Tokens"]
    emu.advance(73 * HOUR)
    assert _status(ses) == ("FAILED", "FAILED")
    seen = _soa(ses)["SerialNumber"]
    _publish(emu, tokens)  # fixed after SES stopped looking
    assert _status(ses) == ("FAILED", "FAILED")
    assert _soa(ses)["SerialNumber"] == seen
    assert emu.store.published_serial("example.test") == seen + 3
