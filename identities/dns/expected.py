"""The DNS records SES expects for one domain identity in one region, from plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from identities.dns.names import InvalidDnsName, ascii_name

DEFAULT_SIGNING_ZONE = "dkim.amazonses.com"
SPF_VALUE = "v=spf1 include:amazonses.com ~all"
DMARC_SUGGESTION = "v=DMARC1; p=none;"
BYODKIM_SUGGESTION = "v=DKIM1; k=rsa; p=<your public key, base64>"

# Purposes, in the order the records table shows them.
DKIM, BYODKIM, VERIFICATION, MAIL_FROM_MX, MAIL_FROM_SPF, DMARC = (
    "dkim",
    "byodkim",
    "verification",
    "mail_from_mx",
    "mail_from_spf",
    "dmarc",
)
PURPOSE_ORDER = (DKIM, BYODKIM, VERIFICATION, MAIL_FROM_MX, MAIL_FROM_SPF, DMARC)


@dataclass(frozen=True)
class DomainSpec:
    """What SES told us about one domain identity in one region (see RegionalIdentity)."""

    domain: str
    region: str
    dkim_tokens: Sequence[str] = ()  # Easy DKIM tokens; for BYODKIM, the selector
    dkim_origin: str = ""  # AWS_SES | EXTERNAL | AWS_SES_<REGION> (a DEED replica)
    signing_hosted_zone: str = ""
    mail_from_domain: str = ""
    verification_token: str = ""  # legacy _amazonses TXT, when used


class _Named(Protocol):
    name: str


class _Coded(Protocol):
    code: str


class RegionalRow(Protocol):
    """What spec_for reads: a RegionalIdentity (with its identity and region loaded)."""

    identity: _Named
    region: _Coded
    dkim_tokens: Sequence[str] | None
    dkim_origin: str
    dkim_signing_zone: str
    mail_from_domain: str
    verification_token: str


def spec_for(ri: RegionalRow) -> DomainSpec:
    """The one way from a stored regional row to the spec its expected records come from."""
    return DomainSpec(
        domain=ri.identity.name,
        region=ri.region.code,
        dkim_tokens=tuple(ri.dkim_tokens or ()),
        dkim_origin=ri.dkim_origin,
        signing_hosted_zone=ri.dkim_signing_zone,
        mail_from_domain=ri.mail_from_domain,
        verification_token=ri.verification_token,
    )


@dataclass(frozen=True)
class ExpectedRecord:
    purpose: str
    name: str  # ASCII, lower case, no trailing dot
    rtype: str
    value: str  # what to publish (for BYODKIM and DMARC: a template)
    blocking: bool  # False: a warning only
    zone_hint: str = ""  # the identity's domain, to spot "zone name appended twice"


def expected_records(spec: DomainSpec) -> list[ExpectedRecord]:
    """The records SES needs for `spec`; raises InvalidDnsName on a name that is not DNS."""
    domain = ascii_name(spec.domain).name
    records: list[ExpectedRecord] = []
    tokens = [t.strip().lower() for t in spec.dkim_tokens if t and t.strip()]
    if spec.dkim_origin.upper() == "EXTERNAL":
        # BYODKIM: the "token" SES reports is the selector; we cannot know the public key.
        for selector in tokens[:1]:
            name = ascii_name(f"{selector}._domainkey.{domain}", what="DKIM selector name").name
            records.append(ExpectedRecord(BYODKIM, name, "TXT", BYODKIM_SUGGESTION, True, domain))
    else:
        zone = ascii_name(
            spec.signing_hosted_zone or DEFAULT_SIGNING_ZONE, what="signing hosted zone"
        ).name
        for token in tokens:
            name = ascii_name(f"{token}._domainkey.{domain}", what="DKIM token name").name
            records.append(ExpectedRecord(DKIM, name, "CNAME", f"{token}.{zone}", True, domain))
    if spec.verification_token.strip() and not tokens:
        # The legacy TXT matters only without DKIM: passing DKIM verifies the domain too, and
        # SES reports a token for every domain, so expecting it always would only be noise.
        records.append(
            ExpectedRecord(
                VERIFICATION,
                f"_amazonses.{domain}",
                "TXT",
                spec.verification_token.strip(),
                True,
                domain,
            )
        )
    if spec.mail_from_domain.strip():
        mail_from = ascii_name(spec.mail_from_domain, what="MAIL FROM domain").name
        if not mail_from.endswith("." + domain):
            raise InvalidDnsName(f"MAIL FROM domain {mail_from!r} is not a subdomain of {domain!r}")
        region = spec.region.strip().lower()
        if not region:
            raise InvalidDnsName("a region is needed to build the MAIL FROM MX record")
        mx = f"10 feedback-smtp.{region}.amazonses.com"
        records.append(ExpectedRecord(MAIL_FROM_MX, mail_from, "MX", mx, True, domain))
        # SES checks only the MX to verify the MAIL FROM domain; without the SPF record mail
        # still goes out but fails SPF alignment, so it is a warning, not a blocker.
        records.append(ExpectedRecord(MAIL_FROM_SPF, mail_from, "TXT", SPF_VALUE, False, domain))
    records.append(
        ExpectedRecord(DMARC, f"_dmarc.{domain}", "TXT", DMARC_SUGGESTION, False, domain)
    )
    return records
