"""Which identity SES accepts as a DEED parent (SES guide, "Using Deterministic Easy DKIM"):
a verified identity configured with Easy DKIM, not BYODKIM and not itself a replica. The
refusal names SES's own reason code (VerificationInfo.ErrorType in the sesv2 model)."""

from __future__ import annotations

DEED_PREFIX = "AWS_SES_"


def parent_refusal(*, region: str, verification_status: str, dkim_origin: str) -> str | None:
    """Why SES would refuse this identity (in `region`) as a DEED parent; None if it would
    not."""
    origin = (dkim_origin or "").upper()
    if origin == "EXTERNAL":
        return (
            f"REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED: the identity in {region} uses "
            "BYODKIM; only an Easy DKIM identity can be a DEED parent."
        )
    if origin.startswith(DEED_PREFIX):
        return (
            f"REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED: the identity in {region} is itself "
            "a DEED replica; choose its parent region."
        )
    if (verification_status or "").upper() != "SUCCESS":
        status = (verification_status or "unknown").lower().replace("_", " ")
        return f"The identity in {region} is not verified ({status}): a DEED parent must be."
    return None


def deed_parent_ok(verification_status: str, dkim_origin: str) -> bool:
    return (
        parent_refusal(region="", verification_status=verification_status, dkim_origin=dkim_origin)
        is None
    )
