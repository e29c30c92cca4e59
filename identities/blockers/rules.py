"""The identity's own rules of the blockers engine, one function per concern (see
identities.blockers.engine; the account-region's rules are in account.py, texts in texts.py)."""

from __future__ import annotations

from collections.abc import Sequence

from identities.blockers.deed import parent_trouble
from identities.blockers.texts import (
    DNS_REMEDIES,
    UNVERIFIED,
    dns_records_phrase,
    explain_error_type,
)
from identities.blockers.types import (
    ADD_TO_REGION,
    BLOCKING,
    CHECK_DNS,
    PUBLISH_DNS,
    SYNC_NOW,
    WARNING,
    Blocker,
    DnsState,
    IdentityState,
    RegionState,
)

_FAILING = ("FAILED", "TEMPORARY_FAILURE")


def not_in_region(identity: IdentityState | None, region: RegionState) -> Blocker:
    others = identity.other_regions if identity else ()
    if others:
        # It works elsewhere: a coverage gap to close, not an outage of this identity.
        return Blocker(
            "not_in_region",
            WARNING,
            f"Exists in {', '.join(others)} but not here ({region.code}).",
            f"Add the identity to {region.code} (it must be verified there separately).",
            ADD_TO_REGION,
        )
    return Blocker(
        "not_in_region",
        BLOCKING,
        f"Neither {region.code} nor any other region of this account has this identity.",
        f"Create the identity in {region.code} and verify it.",
        ADD_TO_REGION,
    )


def identity_sending(identity: IdentityState) -> list[Blocker]:
    # SES reports SendingEnabled=False for unverified identities too; only a verified
    # identity with sending disabled is "paused" (otherwise verification explains it).
    if identity.sending_enabled is False and identity.verified:
        return [
            Blocker(
                "sending_paused",
                BLOCKING,
                f"SES has sending turned off for the identity {identity.name}.",
                "Re-enable sending for the identity in SES once the cause is fixed.",
                None,
            )
        ]
    return []


def verification(identity: IdentityState, region: RegionState) -> list[Blocker]:
    status = (identity.verification_status or "").upper()
    why = explain_error_type(identity.verification_error_type)
    suffix = f" ({why})" if why else ""
    email = identity.is_email
    if identity.verified:
        if status == "TEMPORARY_FAILURE":
            return [
                Blocker(
                    "verification_temporary_failure",
                    WARNING,
                    f"SES can no longer confirm the domain's DNS records{suffix}; it still sends "
                    "but fails after 72 hours.",
                    "Put the DNS records back as SES expects them.",
                    PUBLISH_DNS,
                )
            ]
        return []
    found = _unverified(identity, region, status, suffix)
    if email and identity.parent_domain_verified:
        # SES applies the most specific identity: this address identity's own status, not
        # its verified domain's (coverage.py).
        found = [
            Blocker(
                b.code,
                b.severity,
                f"{b.message} Its domain is verified, but SES judges the address by its own "
                "identity.",
                f"{b.remedy} Or delete the address identity: the verified domain then covers it.",
                b.action,
            )
            for b in found
        ]
    return found


def _unverified(
    identity: IdentityState, region: RegionState, status: str, suffix: str
) -> list[Blocker]:
    kind = "email" if identity.is_email else "domain"
    text = UNVERIFIED.get(("PENDING" if status == "NOT_STARTED" else status, kind))
    if text is None:
        # No status from SES yet (never synced in detail, or a status we do not know).
        shown = f" ({status})" if status else ""
        return [
            Blocker(
                "verification_pending",
                BLOCKING,
                f"SES has not reported this identity as verified in {region.code}{shown}.",
                "Sync the region to read its verification status.",
                SYNC_NOW,
            )
        ]
    code, message, remedy, action = text
    started = " (not started)" if status == "NOT_STARTED" else ""
    return [Blocker(code, BLOCKING, message.format(why=suffix, started=started), remedy, action)]


def dkim(identity: IdentityState) -> list[Blocker]:
    # Without DKIM, SES still sends (signed for amazonses.com), so these are warnings: DMARC
    # alignment and deliverability suffer. A domain whose verification depends on DKIM is
    # already blocked by its verification status. Addresses inherit DKIM from their domain.
    if identity.is_email:
        return []
    status = (identity.dkim_status or "").upper()
    if identity.dkim_signing_enabled is False and status in ("", "NOT_STARTED"):
        return []
    if identity.dkim_signing_enabled is False and status == "SUCCESS":
        # Signing turned off (PutEmailIdentityDkimAttributes): SES still sends, unsigned.
        return [
            Blocker(
                "dkim_signing_disabled",
                WARNING,
                f"Signing is turned off in SES: mail carries no DKIM signature of "
                f"{identity.name}, so DMARC rests on SPF alone.",
                "Turn DKIM signing back on for the identity in SES "
                "(PutEmailIdentityDkimAttributes, SigningEnabled true).",
                None,
            )
        ]
    byodkim = identity.dkim_origin == "EXTERNAL"
    records = "the BYODKIM TXT record" if byodkim else "the three DKIM CNAME records"
    if status == "PENDING":
        return [
            Blocker(
                "dkim_pending",
                WARNING,
                f"SES has not yet found {records}.",
                f"Publish {records}; SES keeps looking for up to 72 hours.",
                PUBLISH_DNS,
            )
        ]
    if status in _FAILING:
        when = " (SES retries for 72 hours)" if status == "TEMPORARY_FAILURE" else ""
        return [
            Blocker(
                "dkim_failed",
                WARNING,
                f"SES cannot find {records}{when}; mail is not signed for this domain.",
                f"Publish {records} exactly as shown (no zone name appended twice, no proxying).",
                PUBLISH_DNS,
            )
        ]
    return []


def mail_from(identity: IdentityState, region: RegionState) -> list[Blocker]:
    if not identity.mail_from_domain:
        return []
    status = (identity.mail_from_status or "").upper()
    if status in ("", "SUCCESS"):
        return []
    rejects = (identity.mail_from_behavior or "").upper() == "REJECT_MESSAGE"
    # REJECT_MESSAGE: SES refuses to send (MailFromDomainNotVerified); otherwise it falls
    # back to amazonses.com as MAIL FROM and mail still goes out.
    severity = BLOCKING if rejects else WARNING
    effect = (
        "SES rejects mail (behaviour on MX failure: reject)"
        if rejects
        else "mail goes out with amazonses.com as MAIL FROM"
    )
    records = f"MX 10 feedback-smtp.{region.code}.amazonses.com and the SPF TXT"
    if status == "PENDING":
        return [
            Blocker(
                "mail_from_pending",
                severity,
                f"SES has not confirmed {identity.mail_from_domain} yet: {effect}.",
                f"Publish {records} at {identity.mail_from_domain}.",
                PUBLISH_DNS,
            )
        ]
    return [
        Blocker(
            "mail_from_failed",
            severity,
            f"SES found no MX record for {identity.mail_from_domain}: {effect}.",
            f"Publish exactly one {records} at {identity.mail_from_domain}.",
            PUBLISH_DNS,
        )
    ]


# The message names the records; the title (CODES) already says what is wrong with them.
_DNS_RULES = (
    ("dns_missing", ("missing",), PUBLISH_DNS),
    ("dns_mismatch", ("wrong_value", "wrong_type"), PUBLISH_DNS),
    ("dns_partial", ("partial",), CHECK_DNS),
)


def _record_blocks(identity: IdentityState, record: DnsState) -> bool:
    """Does this bad record explain why the identity cannot send right now?

    Only records the probe rates blocking, and only while SES itself is not satisfied: a
    verified identity still sends (SES notices within its next checks, hence a warning), and
    a MAIL FROM record matters only when SES rejects on MX failure.
    """
    if record.severity != BLOCKING:
        return False
    if record.purpose.startswith("mail_from"):
        # As in mail_from(): an unknown ("") status is not evidence of a failure.
        status = (identity.mail_from_status or "").upper()
        rejects = (identity.mail_from_behavior or "").upper() == "REJECT_MESSAGE"
        return rejects and status not in ("", "SUCCESS")
    return not identity.verified


def dns_records(identity: IdentityState, dns: Sequence[DnsState]) -> list[Blocker]:
    """One blocker per code, naming the records. `unknown` (timeouts) is never reported."""
    out: list[Blocker] = []
    for code, verdicts, action in _DNS_RULES:
        bad = [d for d in dns if d.verdict in verdicts]
        if not bad:
            continue
        blocks = code != "dns_partial" and any(_record_blocks(identity, d) for d in bad)
        severity = BLOCKING if blocks else WARNING
        diagnosis = next((d.diagnosis for d in bad if d.diagnosis), "")
        message = dns_records_phrase(bad)
        if diagnosis:
            message += f" — {diagnosis}"
        out.append(Blocker(code, severity, message, DNS_REMEDIES[code], action))
    return out


def deed_replica(identity: IdentityState) -> list[Blocker]:
    # A DEED replica signs with its parent region's keys and follows the parent's DKIM state:
    # while the parent is verified it sends, but a parent that fails, is deleted or loses
    # DKIM takes the replica's signing with it. A warning here, before that happens.
    parent = identity.deed_parent
    if parent is None or identity.is_email:
        return []
    trouble = parent_trouble(parent)
    if trouble is None:
        return []
    return [
        Blocker(
            "deed_parent_unhealthy",
            WARNING,
            f"This region is a DEED replica, signing with the keys of {parent.region}, and "
            f"{trouble}: its DKIM here follows.",
            f"Fix the identity in {parent.region} first (its blockers say how); the replica "
            "follows it.",
            None,
        )
    ]
