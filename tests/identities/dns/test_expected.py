"""Expected records from plain data, the blockers' inputs and the zone-file snippet."""

from __future__ import annotations

from identities.dns.expected import DomainSpec, expected_records
from identities.dns.zonefile import zone_file


def table(spec: DomainSpec) -> list[tuple[str, str, str, str, bool]]:
    return [(r.purpose, r.name, r.rtype, r.value, r.blocking) for r in expected_records(spec)]


def test_easy_dkim_mail_from_and_dmarc() -> None:
    spec = DomainSpec(
        "Example.COM.",
        "eu-west-1",
        ["Tok1", "tok2", "tok3"],
        "AWS_SES",
        "",
        "mail.example.com",
        "legacy",
    )
    assert table(spec) == [
        ("dkim", "tok1._domainkey.example.com", "CNAME", "tok1.dkim.amazonses.com", True),
        ("dkim", "tok2._domainkey.example.com", "CNAME", "tok2.dkim.amazonses.com", True),
        ("dkim", "tok3._domainkey.example.com", "CNAME", "tok3.dkim.amazonses.com", True),
        (
            "mail_from_mx",
            "mail.example.com",
            "MX",
            "10 feedback-smtp.eu-west-1.amazonses.com",
            True,
        ),
        ("mail_from_spf", "mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all", False),
        ("dmarc", "_dmarc.example.com", "TXT", "v=DMARC1; p=none;", False),
    ]


def test_region_signing_zone_and_deed_replica_use_the_tokens_given() -> None:
    spec = DomainSpec(
        "example.com", "ca-west-1", ["abc"], "AWS_SES_US_EAST_1", "dkim.ca-west-1.amazonses.com"
    )
    assert table(spec)[0][3] == "abc.dkim.ca-west-1.amazonses.com"


def test_byodkim_expects_one_txt_at_the_selector() -> None:
    spec = DomainSpec("example.com", "us-east-1", ["sel2048"], "EXTERNAL")
    purpose, name, rtype, value, blocking = table(spec)[0]
    assert (purpose, name, rtype, blocking) == (
        "byodkim",
        "sel2048._domainkey.example.com",
        "TXT",
        True,
    )
    assert value.startswith("v=DKIM1; k=rsa; p=")


def test_legacy_verification_txt_only_matters_without_dkim() -> None:
    without_dkim = DomainSpec("example.com", "us-east-1", verification_token="tokenvalue")
    assert table(without_dkim)[0] == (
        "verification",
        "_amazonses.example.com",
        "TXT",
        "tokenvalue",
        True,
    )
    with_dkim = DomainSpec(
        "example.com", "us-east-1", ["a", "b", "c"], verification_token="tokenvalue"
    )
    assert "verification" not in [row[0] for row in table(with_dkim)]


def test_zone_file_uses_absolute_names_and_splits_long_txt() -> None:
    key = "v=DKIM1; p=" + "A" * 400
    text = zone_file(
        [
            ("x._domainkey.example.com", "CNAME", "x.dkim.amazonses.com"),
            ("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com"),
            ("s._domainkey.example.com", "TXT", key),
        ],
        header="for example.com",
    )
    lines = text.splitlines()
    assert lines[0] == "; for example.com"
    assert lines[1] == "x._domainkey.example.com.\t1800\tIN\tCNAME\tx.dkim.amazonses.com."
    assert lines[2] == "mail.example.com.\t1800\tIN\tMX\t10 feedback-smtp.us-east-1.amazonses.com."
    strings = lines[3].split("\t")[-1]
    assert strings == f'"{key[:255]}" "{key[255:]}"'
    assert zone_file([], header="nothing") == ""


def test_dkim_key_checks_without_dns() -> None:
    import base64
    import os

    from identities.dns.query import Answer
    from identities.dns.values import check_dkim_key

    def verdict(*values: str) -> tuple[str, list[str]]:
        m = check_dkim_key(Answer("ok", "TXT", values, tuple((v,) for v in values)))
        return m.state, [d.code for d in m.diagnoses]

    ed = base64.b64encode(os.urandom(32)).decode()
    assert verdict(f"v=DKIM1; k=ed25519; p={ed}") == ("ok", [])
    assert verdict(f"v=DKIM1; k=ed25519; p={ed[:20]}") == ("wrong_value", ["dkim_key_broken"])
    assert verdict("v=DKIM1; k=rsa; p=") == ("wrong_value", ["dkim_key_empty"])
    assert verdict("some other text") == ("missing", ["no_dkim_key"])
    body = os.urandom(290)
    key = base64.b64encode(b"\x30\x82" + len(body).to_bytes(2, "big") + body).decode()
    assert verdict(f"v=DKIM1; p={key}") == ("ok", [])
    assert verdict(f"v=DKIM1; p={key[:-8]}") == ("wrong_value", ["dkim_key_broken"])
