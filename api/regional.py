"""One identity in one account-region, as plain data: the one definition that
`ses_report --format json` and the API's identity endpoints both serialise through.

Pydantic models (not django-ninja schemas): the report command must not depend on the API
library. The values come from the blockers engine; nothing here decides anything."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from identities.blockers.engine import Blocker, cell_status
from identities.blockers.states import Cell
from identities.models import RegionalIdentity


class BlockerOut(BaseModel):
    code: str = Field(description="Stable code (docs/ses-rules.md), e.g. verification_pending")
    severity: Literal["blocking", "warning"]
    message: str
    remedy: str
    action: str | None = Field(description="The action that fixes it, when there is one")


class Statuses(BaseModel):
    verification: str
    verified_for_sending: bool | None
    sending_enabled: bool | None
    verification_error_type: str
    dkim: str
    dkim_signing_enabled: bool | None
    dkim_origin: str
    mail_from_domain: str
    mail_from: str
    mail_from_behavior: str


class RegionalState(BaseModel):
    account: str
    region: str
    identity: str
    kind: Literal["EMAIL_ADDRESS", "DOMAIN"]
    present: bool = Field(description="SES holds the identity in this region")
    statuses: Statuses | None = Field(description="What SES reported (null where absent)")
    sandbox: bool | None = Field(description="The account-region is in the sandbox")
    synced_at: datetime | None
    status: Literal["sending", "blocked", "warning", "absent"]
    blockers: list[BlockerOut]


def blockers_out(blockers: Sequence[Blocker]) -> list[BlockerOut]:
    return [BlockerOut(**b.as_dict()) for b in blockers]


def statuses_of(ri: RegionalIdentity) -> Statuses:
    return Statuses(
        verification=ri.verification_status,
        verified_for_sending=ri.verified_for_sending,
        sending_enabled=ri.sending_enabled,
        verification_error_type=ri.verification_error_type,
        dkim=ri.dkim_status,
        dkim_signing_enabled=ri.dkim_signing_enabled,
        dkim_origin=ri.dkim_origin,
        mail_from_domain=ri.mail_from_domain,
        mail_from=ri.mail_from_status,
        mail_from_behavior=ri.mail_from_behavior,
    )


def regional_state(ri: RegionalIdentity, blockers: Sequence[Blocker]) -> RegionalState:
    """A present regional row (with identity and region__account loaded) and its blockers."""
    region = ri.region
    return RegionalState(
        account=region.account.label,
        region=region.code,
        identity=ri.identity.name,
        kind=ri.identity.kind,
        present=ri.present,
        statuses=statuses_of(ri),
        sandbox=region.in_sandbox,
        synced_at=ri.synced_at,
        status=cell_status(blockers),
        blockers=blockers_out(blockers),
    )


def cell_state(cell: Cell) -> RegionalState:
    """A grid cell: the identity in a region of its account, present or not."""
    ri = cell.regional
    return RegionalState(
        account=cell.region.account.label,
        region=cell.region.code,
        identity=cell.identity.name,
        kind=cell.identity.kind,
        present=bool(ri is not None and ri.present),
        statuses=statuses_of(ri) if ri is not None else None,
        sandbox=cell.region.in_sandbox,
        synced_at=getattr(ri, "synced_at", None),
        status=cell.status,
        blockers=blockers_out(cell.blockers),
    )
