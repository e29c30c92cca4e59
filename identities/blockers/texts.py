"""Plain-words text the blockers engine uses: SES's verification error types, record lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
