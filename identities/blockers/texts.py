"""Plain-words text the blockers engine uses: SES's verification error types, what an
unverified identity needs, what bad DNS records need, record lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from identities.blockers.types import PUBLISH_DNS, RESEND_VERIFICATION, SYNC_NOW

# SES v2 GetEmailIdentity VerificationInfo.ErrorType, said so an ops person can act on it.
ERROR_TYPES: dict[str, str] = {
    "HOST_NOT_FOUND": "no such DNS name: the record SES looks for does not exist",
    "TYPE_NOT_FOUND": "the DNS name exists but has no record of the type SES needs",
    "INVALID_VALUE": "the DNS record exists but its value is not what SES expects",
    "DNS_SERVER_ERROR": "the domain's DNS servers did not answer SES properly",
    "SERVICE_ERROR": "an internal SES error; it usually clears by itself",
    "REPLICATION_ACCESS_DENIED": "DEED replication: SES may not read the parent region's identity",
    "REPLICATION_PRIMARY_NOT_FOUND": (
        "DEED replication: the parent region's identity does not exist"
    ),
    "REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED": (
        "DEED replication: the parent region uses BYODKIM, which replicas cannot copy"
    ),
    "REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED": (
        "DEED replication: the parent is itself a replica, which is not allowed"
    ),
    "REPLICATION_PRIMARY_INVALID_REGION": "DEED replication: the parent region is not valid",
}


# An identity SES has not verified, by (status, kind "email" | "domain"): code, message,
# remedy, action. `{why}` is SES's error type in plain words, `{started}` says NOT_STARTED.
UNVERIFIED: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("TEMPORARY_FAILURE", "email"): (
        "verification_temporary_failure",
        "SES cannot confirm the verification right now{why}.",
        "Wait and sync again; if it persists, resend the verification email.",
        SYNC_NOW,
    ),
    ("TEMPORARY_FAILURE", "domain"): (
        "verification_temporary_failure",
        "SES cannot confirm the verification right now{why}.",
        "Check the DNS records SES expects; SES retries for 72 hours before failing.",
        PUBLISH_DNS,
    ),
    ("FAILED", "email"): (
        "verification_failed",
        "The link in the verification email was not clicked within 24 hours{why}.",
        "Resend the verification email and click the link within 24 hours.",
        RESEND_VERIFICATION,
    ),
    ("FAILED", "domain"): (
        "verification_failed",
        "SES did not find the DNS records within 72 hours{why}.",
        "Publish the DNS records exactly as shown, then restart verification in SES.",
        PUBLISH_DNS,
    ),
    ("PENDING", "email"): (
        "verification_pending",
        "Waiting for someone to click the link in the verification email{started}.",
        "Open the email from Amazon Web Services (check spam and the spelling) and "
        "click the link within 24 hours, or resend it.",
        RESEND_VERIFICATION,
    ),
    ("PENDING", "domain"): (
        "verification_pending",
        "Waiting for SES to see the domain's DNS records{started}{why}.",
        "Publish the DNS records shown; SES keeps looking for up to 72 hours.",
        PUBLISH_DNS,
    ),
}

# What bad DNS records need, by blocker code (the title already says what is wrong).
DNS_REMEDIES = {
    "dns_missing": "Publish the records in the domain's delegated DNS zone.",
    "dns_mismatch": "Fix the records to the expected type and value.",
    "dns_partial": "Wait for every nameserver to serve the change (or fix the ones that "
    "do not), then check DNS again.",
}


def explain_error_type(error_type: str) -> str:
    """SES's ErrorType in plain words ("" when there is none)."""
    code = (error_type or "").strip().upper()
    if not code:
        return ""
    if code in ERROR_TYPES:
        return ERROR_TYPES[code]
    if code.startswith("REPLICATION_"):
        return f"DEED replication problem ({code})"
    return f"SES error type {code}"


class _Record(Protocol):
    name: str
    rtype: str


def dns_records_phrase(records: Sequence[_Record], limit: int = 3) -> str:
    """`a (CNAME), b (TXT) and 2 more` — short enough for one line."""
    shown = [f"{r.name} ({r.rtype})" for r in records[:limit]]
    rest = len(records) - limit
    text = ", ".join(shown)
    if rest > 0:
        text += f" and {rest} more"
    return text
