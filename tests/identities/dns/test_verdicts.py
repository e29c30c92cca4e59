"""Every verdict and every diagnosis, against the zone server with three nameservers."""

from __future__ import annotations

import pytest

from emulator.zones import ZoneStore
from identities.dns.expected import DomainSpec
from identities.dns.probe import ProbeConfig
from identities.dns.verdict import SesState
from tests.dns_zone import public_key_b64, verdicts

SPEC = DomainSpec(
    "example.com", "us-east-1", ["aaa", "bbb", "ccc"], "AWS_SES", "", "mail.example.com"
)
DKIM_A = "dkim aaa._domainkey.example.com"
MX = "mail_from_mx mail.example.com"
SPF = "mail_from_spf mail.example.com"
DMARC = "dmarc _dmarc.example.com"


def publish_all(zones: ZoneStore, skip: tuple[str, ...] = ()) -> None:
    for token in ("aaa", "bbb", "ccc"):
        if token not in skip:
            zones.add_record(
                f"{token}._domainkey.example.com", "CNAME", f"{token}.dkim.amazonses.com"
            )
    if "mx" not in skip:
        zones.add_record("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    if "spf" not in skip:
        zones.add_record("mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all")
    if "dmarc" not in skip:
        zones.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=none")


def test_every_record_ok_when_all_nameservers_serve_them(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones)
    result = verdicts(config, SPEC)
    assert {k: v.verdict for k, v in result.items()} == dict.fromkeys(result, "ok")
    assert len(result) == 6
    assert set(result[DKIM_A].answers) == {"ns1.dns.test", "ns2.dns.test", "ns3.dns.test"}
    assert result[DKIM_A].answers["ns2.dns.test"]["ttl"] == 300


def test_missing_everywhere_is_missing_with_nxdomain(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("dmarc",))
    v = verdicts(config, SPEC)[DMARC]
    assert v.verdict == "missing" and not v.record.blocking
    assert {a["status"] for a in v.answers.values()} == {"nxdomain"}


def test_nodata_is_missing_too_but_told_apart(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("mx",))
    v = verdicts(config, SPEC)[MX]
    assert v.verdict == "missing"
    assert {a["status"] for a in v.answers.values()} == {"nodata"}  # the SPF TXT is there


def test_partial_names_the_nameservers_that_lack_it(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record(
        "aaa._domainkey.example.com",
        "CNAME",
        "aaa.dkim.amazonses.com",
        servers=["ns1.dns.test", "ns3.dns.test"],
    )
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "partial"
    assert "Served by ns1.dns.test, ns3.dns.test only; ns2.dns.test answers NXDOMAIN" in v.diagnosis


def test_nameservers_disagreeing_on_the_value_is_partial(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("spf",))
    zones.add_record(
        "mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all", servers=["ns1.dns.test"]
    )
    zones.add_record(
        "mail.example.com", "TXT", "v=spf1 -all", servers=["ns2.dns.test", "ns3.dns.test"]
    )
    v = verdicts(config, SPEC)[SPF]
    assert v.verdict == "partial"
    assert "ns2.dns.test answers TXT v=spf1 -all" in v.diagnosis
    assert "spf_without_ses" in v.codes


def test_wrong_dkim_target_is_wrong_value_naming_the_token(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record("aaa._domainkey.example.com", "CNAME", "zzz.dkim.amazonses.com")
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "wrong_value" and v.codes == ["wrong_dkim_token"]
    assert "token zzz, not aaa" in v.diagnosis


def test_signing_zone_of_another_region_is_named(zones: ZoneStore, config: ProbeConfig) -> None:
    spec = DomainSpec(
        "example.com", "ca-west-1", ["aaa"], "AWS_SES", "dkim.ca-west-1.amazonses.com"
    )
    zones.add_record("aaa._domainkey.example.com", "CNAME", "aaa.dkim.amazonses.com")
    v = verdicts(config, spec)[DKIM_A]
    assert v.verdict == "wrong_value" and v.codes == ["wrong_signing_zone"]


def test_cname_target_pasted_into_a_txt_is_wrong_type(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record("aaa._domainkey.example.com", "TXT", "aaa.dkim.amazonses.com")
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "wrong_type" and "cname_in_txt" in v.codes
    assert v.answers["ns1.dns.test"]["status"] == "nodata"
    assert v.answers["ns1.dns.test"]["also"] == [
        {"rtype": "TXT", "values": ["aaa.dkim.amazonses.com"], "ttl": 300}
    ]


def test_answers_flattened_to_a_records_are_named(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record("aaa._domainkey.example.com", "A", "104.16.1.1")
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "wrong_type" and "flattened" in v.codes
    assert "proxied or CNAME-flattened" in v.diagnosis


def test_a_cname_where_a_txt_belongs_is_wrong_type(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("dmarc",))
    zones.add_record("_dmarc.example.com", "CNAME", "dmarc.provider.test")
    v = verdicts(config, SPEC)[DMARC]
    assert v.verdict == "wrong_type" and v.answers["ns3.dns.test"]["rtype"] == "CNAME"


def test_zone_name_appended_twice_is_found_by_probing_the_doubled_name(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record("aaa._domainkey.example.com.example.com", "CNAME", "aaa.dkim.amazonses.com")
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "missing" and "zone_doubled" in v.codes
    assert "Published as aaa._domainkey.example.com.example.com" in v.diagnosis
    assert "enter only aaa._domainkey" in v.diagnosis


def test_only_some_dkim_cnames_published(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones, skip=("bbb", "ccc"))
    result = verdicts(config, SPEC)
    assert result[DKIM_A].verdict == "ok" and result[DKIM_A].codes == []
    for token in ("bbb", "ccc"):
        v = result[f"dkim {token}._domainkey.example.com"]
        assert v.verdict == "missing"
        assert "Only 1 of the 3 DKIM CNAMEs are published" in v.diagnosis


def test_mail_from_mx_of_another_ses_region_is_right_with_a_note(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    """One MAIL FROM domain may serve several regions with one MX naming any SES region's
    feedback endpoint (SES forwards the bounces): no fault, at most a note."""
    publish_all(zones, skip=("mx",))
    zones.add_record("mail.example.com", "MX", "10 feedback-smtp.eu-west-1.amazonses.com")
    v = verdicts(config, SPEC)[MX]
    assert v.verdict == "ok" and v.codes == ["mail_from_other_region"]
    assert "bounces pass through eu-west-1 first" in v.diagnosis


@pytest.mark.parametrize(
    ("mx", "code"),
    [
        ("10 inbound-smtp.us-east-1.amazonaws.com", "mail_from_inbound_endpoint"),
        ("10 mx1.example.com", "mail_from_not_ses"),
        ("10 feedback-smtp.nowhere-9.amazonses.com", "mail_from_unknown_region"),
    ],
)
def test_mail_from_mx_that_is_not_ses_feedback_is_wrong(
    zones: ZoneStore, config: ProbeConfig, mx: str, code: str
) -> None:
    publish_all(zones, skip=("mx",))
    zones.add_record("mail.example.com", "MX", mx)
    v = verdicts(config, SPEC)[MX]
    assert v.verdict == "wrong_value" and v.codes == [code]


def test_two_mx_records_are_one_too_many(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones)
    zones.add_record("mail.example.com", "MX", "20 mx.other.test")
    v = verdicts(config, SPEC)[MX]
    assert v.verdict == "wrong_value" and v.codes == ["multiple_mx"]


def test_two_spf_records_are_one_too_many(zones: ZoneStore, config: ProbeConfig) -> None:
    publish_all(zones)
    zones.add_record("mail.example.com", "TXT", "v=spf1 include:_spf.google.com ~all")
    v = verdicts(config, SPEC)[SPF]
    assert v.verdict == "wrong_value" and v.codes == ["multiple_spf"]


def test_servfail_and_timeout_are_unknown_never_missing(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("dmarc",))
    zones.set_fault("_dmarc.example.com", "servfail")
    zones.set_fault("mail.example.com", "timeout", server="ns1.dns.test")
    zones.set_fault("mail.example.com", "refused", server="ns2.dns.test")
    zones.set_fault("mail.example.com", "servfail", server="ns3.dns.test")
    result = verdicts(config, SPEC)
    assert result[DMARC].verdict == "unknown"
    assert {a["status"] for a in result[DMARC].answers.values()} == {"servfail"}
    assert result[MX].verdict == "unknown"
    assert [a["status"] for a in result[MX].answers.values()] == ["timeout", "refused", "servfail"]
    assert "No usable answer from ns1.dns.test (timeout)" in result[MX].diagnosis


def test_one_silent_nameserver_does_not_hide_the_others_answers(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("dmarc",))
    zones.set_fault("_dmarc.example.com", "timeout", server="ns3.dns.test")
    v = verdicts(config, SPEC)[DMARC]
    assert v.verdict == "missing" and "No usable answer from ns3.dns.test (timeout)" in v.diagnosis


def test_ses_verified_but_records_gone_warns_of_revocation(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("aaa", "bbb", "ccc"))
    result = verdicts(config, SPEC, SesState("SUCCESS", "SUCCESS", "PENDING"))
    assert "verified_but_gone" in result[DKIM_A].codes
    assert "within about 72 hours" in result[DKIM_A].diagnosis
    assert (
        "verified_but_gone"
        not in verdicts(config, SPEC, SesState(dkim_status="PENDING"))[DKIM_A].codes
    )


def test_domain_without_delegation_is_missing_and_says_why(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    zones.add_zone("orphan.test", {"ns4.dns.test": "127.0.0.5"}, delegated=False)
    zones.add_record("_dmarc.orphan.test", "TXT", "v=DMARC1; p=none")
    dns_server.refresh()
    v = verdicts(config, DomainSpec("orphan.test", "us-east-1"))["dmarc _dmarc.orphan.test"]
    assert v.verdict == "missing" and v.codes == ["not_delegated"]
    assert "No nameserver is delegated for orphan.test" in v.diagnosis


def test_record_edited_in_an_undelegated_zone_is_found_on_the_servers_we_are_told_of(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    _mx_only_in_an_undelegated_zone(zones, dns_server)
    assert verdicts(config, SPEC)[MX].codes == []  # without a hint: plainly missing
    hinted = ProbeConfig(
        config.resolver, config.port, config.timeout, 8, also_ask=("ns4.dns.test",)
    )
    v = verdicts(hinted, SPEC)[MX]
    assert v.verdict == "missing" and v.codes[0] == "not_delegated"
    assert "exists on ns4.dns.test (127.0.0.5), which is not among the nameservers" in v.diagnosis
    assert v.answers["ns4.dns.test"]["delegated"] is False


BYO = DomainSpec("example.com", "eu-west-1", ["sel1"], "EXTERNAL")
BYO_KEY = "byodkim sel1._domainkey.example.com"


def test_byodkim_key_split_across_strings_is_ok(zones: ZoneStore, config: ProbeConfig) -> None:
    key = "v=DKIM1; k=rsa; p=" + public_key_b64()
    zones.add_record(
        "sel1._domainkey.example.com",
        "TXT",
        " ".join(f'"{key[i : i + 200]}"' for i in range(0, len(key), 200)),
    )
    v = verdicts(config, BYO)[BYO_KEY]
    assert v.verdict == "ok"
    assert len(v.answers["ns1.dns.test"]["strings"][0]) == 3


def test_byodkim_key_not_split_is_cut_at_255_and_diagnosed(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    zones.add_record(
        "sel1._domainkey.example.com", "TXT", '"v=DKIM1; k=rsa; p=' + public_key_b64() + '"'
    )
    v = verdicts(config, BYO)[BYO_KEY]
    assert v.verdict == "wrong_value" and v.codes == ["dkim_key_truncated"]


def test_byodkim_key_split_into_separate_records(zones: ZoneStore, config: ProbeConfig) -> None:
    key = "v=DKIM1; k=rsa; p=" + public_key_b64()
    zones.add_record("sel1._domainkey.example.com", "TXT", f'"{key[:200]}"')
    zones.add_record("sel1._domainkey.example.com", "TXT", f'"{key[200:]}"')
    v = verdicts(config, BYO)[BYO_KEY]
    assert v.verdict == "wrong_value" and v.codes == ["dkim_key_split_records"]


def test_byodkim_key_with_stray_quotes_inside(zones: ZoneStore, config: ProbeConfig) -> None:
    key = public_key_b64()
    zones.add_record(
        "sel1._domainkey.example.com",
        "TXT",
        f'"v=DKIM1; p={key[:150]}\\" \\"{key[150:300]}" "{key[300:]}"',
    )
    v = verdicts(config, BYO)[BYO_KEY]
    assert v.verdict == "wrong_value" and v.codes == ["dkim_key_split_wrongly"]


def test_legacy_verification_token_among_other_regions_tokens(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    zones.add_record("_amazonses.example.com", "TXT", "other-region-token")
    spec = DomainSpec("example.com", "us-east-1", verification_token="my-token")
    v = verdicts(config, spec)["verification _amazonses.example.com"]
    assert (
        v.verdict == "wrong_value"
        and v.codes == ["verification_token_absent"]
        and v.record.blocking
    )
    zones.add_record("_amazonses.example.com", "TXT", "my-token")
    assert verdicts(config, spec)["verification _amazonses.example.com"].verdict == "ok"


def test_idn_domain_is_probed_as_punycode_and_says_so(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    zones.add_zone("xn--bcher-kva.example", {"ns1.dns.test": "127.0.0.2"})
    zones.add_record("_dmarc.xn--bcher-kva.example", "TXT", "v=DMARC1; p=reject")
    from identities.dns.names import ascii_name

    spec = DomainSpec("Bücher.example", "us-east-1")
    result = verdicts(config, spec)
    assert list(result) == ["dmarc _dmarc.xn--bcher-kva.example"]
    assert result["dmarc _dmarc.xn--bcher-kva.example"].verdict == "ok"
    assert "xn--bcher-kva.example" in ascii_name(spec.domain).note


def test_a_nameserver_refusing_the_zone_is_named_as_a_lame_delegation(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones)
    zones.set_fault("_dmarc.example.com", "refused", server="ns2.dns.test")
    v = verdicts(config, SPEC)[DMARC]
    assert v.verdict == "ok" and "lame_delegation" in v.codes
    assert "ns2.dns.test refuses to answer for example.com" in v.diagnosis


def test_a_dmarc_cname_to_a_provider_is_judged_by_the_target_txt(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    publish_all(zones, skip=("dmarc",))
    zones.add_zone("provider.test", {"ns1.dns.test": "127.0.0.2"})
    zones.add_record("_dmarc.example.com", "CNAME", "example.dmarc.provider.test")
    zones.add_record("example.dmarc.provider.test", "TXT", "v=DMARC1; p=reject")
    v = verdicts(config, SPEC)[DMARC]
    assert v.verdict == "ok" and v.codes == ["via_cname"]
    assert v.answers["ns2.dns.test"]["followed"] == {
        "rtype": "TXT",
        "values": ["v=DMARC1; p=reject"],
    }


def test_a_cname_target_with_the_zone_appended_is_named(
    zones: ZoneStore, config: ProbeConfig
) -> None:
    publish_all(zones, skip=("aaa",))
    zones.add_record("aaa._domainkey.example.com", "CNAME", "aaa.dkim.amazonses.com.example.com")
    v = verdicts(config, SPEC)[DKIM_A]
    assert v.verdict == "wrong_value" and v.codes == ["target_zone_appended"]


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("mail.example.com", '"\\"v=spf1 include:amazonses.com ~all\\""', SPF),
        ("_dmarc.example.com", '"\\"v=DMARC1; p=none\\""', DMARC),
    ],
)
def test_a_txt_value_pasted_with_its_quotes_is_diagnosed_as_exactly_that(
    zones: ZoneStore, config: ProbeConfig, name: str, value: str, key: str
) -> None:
    publish_all(zones, skip=("spf", "dmarc"))
    zones.add_record(name, "TXT", value)
    v = verdicts(config, SPEC)[key]
    assert v.verdict == "wrong_value" and v.codes == ["txt_quoted"]
    assert "pasted with its quotes" in v.diagnosis


def test_an_extra_nameserver_given_as_ip_and_port_is_asked_there(
    zones: ZoneStore, config: ProbeConfig, dns_server
) -> None:
    _mx_only_in_an_undelegated_zone(zones, dns_server)
    extra = f"127.0.0.5:{config.port}"
    hinted = ProbeConfig(config.resolver, config.port, config.timeout, 8, also_ask=(extra,))
    v = verdicts(hinted, SPEC)[MX]
    assert v.verdict == "missing" and v.codes[0] == "not_delegated"
    assert v.answers[extra]["delegated"] is False


def _mx_only_in_an_undelegated_zone(zones: ZoneStore, dns_server) -> None:
    """The MAIL FROM MX is published on ns4 (127.0.0.5), which nobody delegates to."""
    publish_all(zones, skip=("mx", "spf"))
    zones.add_zone("mail.example.com", {"ns4.dns.test": "127.0.0.5"}, delegated=False)
    zones.add_record("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    dns_server.refresh()
