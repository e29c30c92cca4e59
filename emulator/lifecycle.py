"""Identity lifecycle as SES runs it, evaluated lazily on each read.

A domain's DKIM (and with it the domain) goes SUCCESS when its records are published,
stays PENDING while SES keeps looking (`verification_timeout_seconds`, 72 h), then
FAILED; a SUCCESS whose records vanish goes TEMPORARY_FAILURE, then FAILED after another
window. FAILED is final until verification is restarted: PutEmailIdentityDkimSigningAttributes,
v1 VerifyDomainIdentity / VerifyDomainDkim, or the control API's `restart`. Email
addresses stay PENDING until their link is clicked and go FAILED when the link expires.
"Published" means what `ZoneStore.published()` answers (via dnsview).
"""

from __future__ import annotations

import base64
import functools
import re

import botocore.session

from emulator.dnsview import PublishedView
from emulator.errors import bad_request
from emulator.senders import governing_identity
from emulator.state import Identity, Lifecycle, Region, State

DEED_PREFIX = "AWS_SES_"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FEEDBACK_MX = re.compile(r"10 feedback-smtp\.([a-z0-9-]+)\.amazonses\.com")


def txt_text(value: str) -> str:
    """A TXT record's text: its quoted strings joined (a long key is split in several)."""
    parts = _QUOTED.findall(value)
    return "".join(parts) if parts else value


def _host(value: str) -> str:
    return value.strip().rstrip(".").lower()


def public_key_from_private(private_key_b64: str) -> str:
    """BYODKIM: the `p=` value SES expects, i.e. base64 DER SubjectPublicKeyInfo of the key."""
    from cryptography.hazmat.primitives import serialization

    try:
        der = base64.b64decode(private_key_b64, validate=True)
        key = serialization.load_der_private_key(der, password=None)
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except Exception as exc:  # any undecodable key is the caller's bad input
        raise bad_request("Invalid DKIM private key: the key could not be parsed.") from exc
    return base64.b64encode(spki).decode()


@functools.cache
def ses_regions() -> frozenset[str]:
    """Every SES region botocore knows (commercial and GovCloud partitions)."""
    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in ("aws", "aws-us-gov")
        for region in session.get_available_regions("sesv2", partition_name=partition)
    )


def is_feedback_mx(value: str) -> bool:
    """`10 feedback-smtp.<any SES region>.amazonses.com`: one MAIL FROM domain may serve
    several regions with one MX (SES forwards bounces to the region that sent). SES's
    receiving endpoint (inbound-smtp...) or the domain's own mail servers are wrong."""
    match = _FEEDBACK_MX.fullmatch(value)
    return match is not None and match.group(1) in ses_regions()


def deed_parent(origin: str) -> str | None:
    """`AWS_SES_US_EAST_1` -> `us-east-1`; None for AWS_SES / EXTERNAL."""
    if origin.startswith(DEED_PREFIX) and origin != "AWS_SES":
        return origin[len(DEED_PREFIX) :].lower().replace("_", "-")
    return None


def deed_origin(region: str) -> str:
    return DEED_PREFIX + region.upper().replace("-", "_")


def _step(
    lc: Lifecycle,
    ok: bool,
    now: float,
    timeout: float,
    error: str | None,
    serial: int | None = None,
) -> None:
    """Advance one state machine given whether its records are visible now (`serial`: the
    zone's SOA serial SES sees while looking, kept as VerificationInfo.SOARecord)."""
    if lc.pinned or lc.status == "FAILED":
        return  # SES stops looking once FAILED: only restarting verification resumes it
    lc.last_checked, lc.soa_serial = now, serial
    if ok:
        lc.status, lc.last_success, lc.error_type = "SUCCESS", now, None
        return
    lc.error_type = error
    if lc.status == "SUCCESS":
        lc.status, lc.window_start = "TEMPORARY_FAILURE", now
    elif lc.status in ("PENDING", "TEMPORARY_FAILURE") and now - lc.window_start > timeout:
        lc.status = "FAILED"


class Evaluator:
    def __init__(self, state: State) -> None:
        self.state = state
        self.view = PublishedView(state.store)

    def _dkim_check(self, reg: Region, ident: Identity) -> tuple[bool, str | None]:
        """(records ok, SES ErrorType) for the identity's DKIM records."""
        parent = deed_parent(ident.dkim_origin)
        tokens, zone = ident.tokens, self.state.hosted_zone(reg)
        if parent is not None:
            if parent == reg.name:
                return False, "REPLICATION_PRIMARY_INVALID_REGION"
            preg = self.state.region(reg.account_id, parent)
            primary = preg.identities.get(ident.name)
            if primary is None:
                return False, "REPLICATION_PRIMARY_NOT_FOUND"
            if primary.dkim_origin == "EXTERNAL":
                return False, "REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED"
            if deed_parent(primary.dkim_origin):
                return False, "REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED"
            tokens, zone = primary.tokens, self.state.hosted_zone(preg)
        if ident.dkim_origin == "EXTERNAL":
            name = f"{ident.selector}._domainkey.{ident.domain}"
            if self.view.fault(name):
                return False, "DNS_SERVER_ERROR"
            values = self.view.published(name, "TXT")
            if not values:
                return False, "TYPE_NOT_FOUND" if self._exists(name) else "HOST_NOT_FOUND"
            for v in values:
                tags = dict(
                    t.split("=", 1) for t in re.sub(r"\s+", "", txt_text(v)).split(";") if "=" in t
                )
                if tags.get("p") == ident.public_key:
                    return True, None
            return False, "INVALID_VALUE"
        for token in tokens:
            name = f"{token}._domainkey.{ident.domain}"
            if self.view.fault(name):
                return False, "DNS_SERVER_ERROR"
            values = [_host(v) for v in self.view.published(name, "CNAME")]
            if not values:
                return False, "TYPE_NOT_FOUND" if self._exists(name) else "HOST_NOT_FOUND"
            if f"{token}.{zone}" not in values:
                return False, "INVALID_VALUE"
        return bool(tokens), None

    def _exists(self, name: str) -> bool:
        return any(self.view.published(name, t) for t in ("TXT", "CNAME", "A", "MX"))

    def _txt_verified(self, ident: Identity) -> bool:
        values = self.view.published(f"_amazonses.{ident.domain}", "TXT")
        return any(txt_text(v).strip() == ident.verification_token for v in values)

    def _mail_from_ok(self, reg: Region, ident: Identity) -> tuple[bool, str | None]:
        assert ident.mail_from_domain
        if self.view.fault(ident.mail_from_domain):
            return False, "DNS_SERVER_ERROR"
        values = [
            " ".join(_host(v).split()) for v in self.view.published(ident.mail_from_domain, "MX")
        ]
        if not values:
            return False, "HOST_NOT_FOUND"
        ok = len(values) == 1 and is_feedback_mx(values[0])
        return ok, (None if ok else "INVALID_VALUE")

    def evaluate(self, reg: Region, ident: Identity) -> Identity:
        """Bring the identity's statuses up to date with the DNS and the clock."""
        st = self.state
        now, timeout = st.now(), st.settings.verification_timeout_seconds
        with st.lock:
            if ident.kind == "EMAIL_ADDRESS":
                v = ident.verification
                if (
                    not v.pinned
                    and v.status == "PENDING"
                    and now > v.window_start + st.settings.link_expiry_seconds
                ):
                    v.status = "FAILED"
                return ident
            dkim_ok, error = self._dkim_check(reg, ident)
            _step(ident.dkim, dkim_ok, now, timeout, error)
            # Passing DKIM also verifies the domain; so does the legacy _amazonses TXT.
            verified = dkim_ok or self._txt_verified(ident)
            serial = st.store.published_serial(ident.domain)
            _step(ident.verification, verified, now, timeout, error, serial)
            if ident.mail_from_domain:
                ok, error = self._mail_from_ok(reg, ident)
                _step(ident.mail_from, ok, now, timeout, error)
            return ident

    def verified(self, reg: Region, ident: Identity) -> bool:
        return self.evaluate(reg, ident).verification.status == "SUCCESS"

    def verified_for_sending(self, reg: Region, ident: Identity) -> bool:
        """An identity sends when the most specific identity covering it is verified: for
        an identity that is its own name, that is itself."""
        return self.verified(reg, ident)

    def address_verified(self, reg: Region, address: str) -> bool:
        """May `address` be used (as sender, or as sandbox recipient) in this region?"""
        ident = governing_identity(reg, address)
        return ident is not None and self.verified(reg, ident)
