"""Which identity SES accepts as a DEED parent (SES guide, "Using Deterministic Easy DKIM"):
a verified identity configured with Easy DKIM, not BYODKIM and not itself a replica. The
refusal names SES's own reason code (VerificationInfo.ErrorType in the sesv2 model). And how
a replica's health follows its parent's (`parent_trouble`, for the blockers engine)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


def parent_region_of(dkim_origin: str) -> str:
    """The parent region of a DEED replica from its DKIM origin (AWS_SES_EU_WEST_1 ->
    eu-west-1); "" when the identity is not a replica (AWS_SES, EXTERNAL, unknown)."""
    origin = (dkim_origin or "").upper()
    if not origin.startswith(DEED_PREFIX):
        return ""
    return origin.removeprefix(DEED_PREFIX).lower().replace("_", "-")


@dataclass(frozen=True)
class DeedParent:
    """A DEED replica's parent: the same identity, same account, in the parent region."""

    region: str
    present: bool
    verification_status: str = ""
    dkim_status: str = ""


def parent_trouble(parent: DeedParent) -> str | None:
    """What is wrong with a DEED parent that its replicas depend on (they sign with the
    parent's keys: a parent that fails or is deleted takes their DKIM with it); None when
    it is healthy (present, verified, DKIM SUCCESS)."""
    if not parent.present:
        return f"the identity no longer exists in {parent.region}"
    status = (parent.verification_status or "").upper()
    if status != "SUCCESS":
        return f"the identity in {parent.region} is not verified ({_words(status)})"
    dkim = (parent.dkim_status or "").upper()
    if dkim != "SUCCESS":
        return f"DKIM of the identity in {parent.region} is {_words(dkim)}"
    return None


def _words(status: str) -> str:
    return (status or "unknown").lower().replace("_", " ")


def by_region_code(rows: Iterable[Any]) -> dict[tuple[int, str], Any]:
    """(identity id, region code) -> row, for finding a DEED replica's parent row (rows
    annotated with `region_code`; one identity's rows are all of its own account)."""
    return {(row.identity_id, row.region_code): row for row in rows}


def deed_parent_state(ri: Any, rows: dict[tuple[int, str], Any]) -> DeedParent | None:
    """The parent of a DEED replica as the engine reads it; None when `ri` is not a replica
    or sesops holds no row of the parent region (nothing known to judge)."""
    parent = parent_region_of(ri.dkim_origin)
    row = rows.get((ri.identity_id, parent)) if parent else None
    if row is None:
        return None
    return DeedParent(
        region=parent,
        present=bool(row.present),
        verification_status=row.verification_status or "",
        dkim_status=row.dkim_status or "",
    )
