"""Bad input: invalid names, IDN, an unparsable resolver setting — clear errors, no crash."""

from __future__ import annotations

import pytest

from identities.dns.expected import DomainSpec, expected_records
from identities.dns.names import (
    DnsInputError,
    InvalidDnsName,
    InvalidResolverSetting,
    ascii_name,
    parse_host_port,
    parse_resolver,
)
from identities.dns.probe import ProbeConfig


@pytest.mark.parametrize(
    "domain, message",
    [
        ("", "is empty"),
        ("exa mple.com", "label 'exa mple'"),
        ("-bad.com", "label '-bad'"),
        ("a..com", "label ''"),
        ("x" * 64 + ".com", "1-63"),
        ("localhost", "at least 2 labels"),
        (("a" * 60 + ".") * 5 + "com", "longer than 253"),
        ("xn--.com", "label"),
    ],
)
def test_invalid_domains_are_rejected_with_a_reason(domain: str, message: str) -> None:
    with pytest.raises(InvalidDnsName, match=message.replace("(", r"\(")):
        expected_records(DomainSpec(domain, "us-east-1"))


def test_an_invalid_mail_from_domain_is_rejected() -> None:
    with pytest.raises(InvalidDnsName, match="not a subdomain"):
        expected_records(DomainSpec("example.com", "us-east-1", mail_from_domain="mail.other.com"))
    with pytest.raises(InvalidDnsName, match="MAIL FROM domain"):
        expected_records(
            DomainSpec("example.com", "us-east-1", mail_from_domain="ma il.example.com")
        )


def test_idn_becomes_punycode_and_says_so() -> None:
    result = ascii_name("Bücher.Example.")
    assert result.name == "xn--bcher-kva.example"
    assert "punycode" in result.note and "xn--bcher-kva.example" in result.note
    assert ascii_name("example.com").note == ""


def test_an_idn_that_idna_refuses_is_an_invalid_name() -> None:
    with pytest.raises(InvalidDnsName, match="internationalised"):
        ascii_name("a\u200b" + "ü" * 70 + ".com")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", None),
        ("127.0.0.1", ("127.0.0.1", 5300)),
        ("127.0.0.1:53", ("127.0.0.1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("::1", ("::1", 5300)),
    ],
)
def test_resolver_setting_forms(value: str, expected: tuple[str, int] | None) -> None:
    assert parse_resolver(value, 5300) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("dns.example", "not an IP address"),
        ("127.0.0.1:", "port ''"),
        ("127.0.0.1:abc", "port 'abc'"),
        ("127.0.0.1:0", "port '0'"),
        ("127.0.0.1:70000", "from 1 to 65535"),
        ("[::1", r"\[IPv6\]:port"),
        ("300.1.1.1", "not an IP address"),
    ],
)
def test_unparsable_resolver_setting_is_a_clear_error(value: str, message: str) -> None:
    with pytest.raises(InvalidResolverSetting, match=message):
        ProbeConfig.from_settings(value, 53, 2.0, 16)


def test_input_errors_are_value_errors() -> None:
    assert issubclass(DnsInputError, ValueError)
    assert issubclass(InvalidResolverSetting, DnsInputError)


def test_an_empty_resolver_setting_means_the_system_resolver(monkeypatch) -> None:
    import dns.resolver

    class FakeResolver:
        nameservers = ["192.0.2.53"]

    monkeypatch.setattr(dns.resolver, "Resolver", FakeResolver)
    assert ProbeConfig.from_settings("", 5353, 2.0, 16).resolver == ("192.0.2.53", 5353)

    def unconfigured():
        raise dns.resolver.NoResolverConfiguration("no nameservers")

    monkeypatch.setattr(dns.resolver, "Resolver", unconfigured)
    with pytest.raises(InvalidResolverSetting, match="system has no resolver configured"):
        ProbeConfig.from_settings(" ", 53, 2.0, 16)


def test_an_unparsable_resolver_setting_stops_start_up_with_the_reason() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]
    env = {**os.environ, "SESOPS_DNS_RESOLVER": "127.0.0.1:dns"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SESOPS_DNS_RESOLVER='127.0.0.1:dns': port 'dns' is not a number" in result.stderr


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ns4.dns.example", ("ns4.dns.example", 53)),
        ("NS4.dns.example.:5353", ("ns4.dns.example", 5353)),
        ("192.0.2.1:5300", ("192.0.2.1", 5300)),
        ("[2001:db8::1]:5300", ("2001:db8::1", 5300)),
    ],
)
def test_extra_nameservers_take_host_or_ip_with_a_port(value: str, expected) -> None:
    assert parse_host_port(value, 53, variable="SESOPS_DNS_EXTRA_NAMESERVERS") == expected


@pytest.mark.parametrize(
    "setting, value",
    [
        ("SESOPS_DNS_EXTRA_NAMESERVERS", ["ns1.example:99999"]),
        ("SESOPS_DNS_EXTRA_NAMESERVERS", ["bad host!"]),
        ("SESOPS_DNS_RESOLVER", "127.0.0.1:x"),
    ],
)
def test_a_bad_host_port_setting_stops_start_up_naming_the_variable(
    settings, setting: str, value
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from identities.apps import check_dns_resolver_setting

    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured, match=setting):
        check_dns_resolver_setting()
