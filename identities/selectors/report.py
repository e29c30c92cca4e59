"""One identity in one account-region as plain data: the one definition that
`manage.py ses_report --format json` and the REST API (api/) both serialise through.

Pydantic models (not the API library's schemas): the report command does not depend on the
API. The values come from the blockers engine and the rows; nothing here decides anything."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from identities.blockers.engine import Blocker, cell_status
from identities.blockers.states import Cell, blockers_for_regionals
from identities.dns.soa import look_of
from identities.models import ENGINE_FIELDS, RegionalIdentity

# The report's (stable, scripted-against) names for the state fields that differ from the model's.
_REPORT_NAMES = {
    "verification_status": "verification",
    "dkim_status": "dkim",
    "mail_from_status": "mail_from",
}


class BlockerOut(BaseModel):
    code: str = Field(description="Stable code (docs/ses-rules.md), e.g. verification_pending")
    severity: Literal["blocking", "warning"]
    message: str
    remedy: str
    action: str | None = Field(description="The action that fixes it, when there is one")


class Statuses(BaseModel):
    """What SES reported, by the engine's fields (ENGINE_FIELDS; a new one must be added here:
    `forbid` makes a forgotten field fail rather than vanish)."""

    model_config = ConfigDict(extra="forbid")

    verification: str
    verified_for_sending: bool | None
    sending_enabled: bool | None
    verification_error_type: str
    dkim_signing_enabled: bool | None
    dkim: str
    dkim_origin: str
    mail_from_domain: str
    mail_from: str
    mail_from_behavior: str


class SesLookOut(BaseModel):
    """SES's own last DNS look (GetEmailIdentity VerificationInfo) against what the zone's
    nameservers served at the last DNS probe: has SES looked since the zone changed?"""

    state: Literal["looked", "not_yet", "went_back", "unknown"]
    ses_checked_at: datetime | None = Field(description="VerificationInfo.LastCheckedTimestamp")
    ses_serial: int | None = Field(description="VerificationInfo.SOARecord.SerialNumber")
    served_serial: int | None = Field(description="Newest SOA serial the nameservers serve")
    served_by: dict[str, int | None] = Field(description="Serial per nameserver, when they differ")
    text: str
    read_at: datetime | None = Field(
        default=None, description="When sesops read SES's view (GetEmailIdentity)"
    )


class RegionalState(BaseModel):
    account: str
    region: str
    identity: str
    kind: Literal["EMAIL_ADDRESS", "DOMAIN"]
    present: bool = Field(description="SES holds the identity in this region")
    statuses: Statuses | None = Field(description="What SES reported (null where absent)")
    sandbox: bool | None = Field(description="The account-region is in the SES sandbox")
    synced_at: datetime | None
    status: Literal["sending", "blocked", "warning", "absent"]
    blockers: list[BlockerOut]
    ses_look: SesLookOut | None = Field(
        default=None,
        description="Domains: has SES looked since the zone changed? (null for addresses, "
        "and in the identity list, whose rows are read lean; one identity's endpoint has it)",
    )


def blockers_out(blockers: Sequence[Blocker]) -> list[BlockerOut]:
    return [BlockerOut(**b.as_dict()) for b in blockers]


def statuses_of(ri: RegionalIdentity) -> Statuses:
    return Statuses(
        **{_REPORT_NAMES.get(f, f): getattr(ri, f) for f in ENGINE_FIELDS if f != "present"}
    )


def _ses_look(ri: RegionalIdentity) -> SesLookOut | None:
    if ri.identity.kind != "DOMAIN" or not isinstance(ri, RegionalIdentity):
        return None  # the grid's and the API list's lean rows do not load SES's view
    return SesLookOut(**look_of(ri).as_dict())


def regional_state(ri: RegionalIdentity, blockers: Sequence[Blocker]) -> RegionalState:
    """A regional row (identity and region__account loaded) and its blockers."""
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
        ses_look=_ses_look(ri),
    )


def cell_state(cell: Cell) -> RegionalState:
    """A grid cell (identities.blockers.states.cells_for): present in the region or not."""
    if cell.regional is not None:
        return regional_state(cell.regional, cell.blockers)
    return RegionalState(
        account=cell.region.account.label,
        region=cell.region.code,
        identity=cell.identity.name,
        kind=cell.identity.kind,
        present=False,
        statuses=None,
        sandbox=cell.region.in_sandbox,
        synced_at=None,
        status=cell.status,
        blockers=blockers_out(cell.blockers),
    )


def report_queryset(*, account: str | None = None, regions: Sequence[str] = ()):
    rows = RegionalIdentity.objects.filter(present=True, region__account__is_active=True)
    if account:
        rows = rows.filter(region__account__label=account)
    if regions:
        rows = rows.filter(region__code__in=list(regions))
    return rows.select_related("identity", "region", "region__account").order_by(
        "identity__name", "region__account__label", "region__code"
    )


def report_rows(
    *, account: str | None = None, regions: Sequence[str] = (), blocking_only: bool = False
) -> list[RegionalState]:
    """Every present regional identity (optionally one account / some regions) with its
    blockers (identities.blockers.engine); `blocking_only` keeps the rows that cannot send."""
    ris = list(report_queryset(account=account, regions=regions))
    blockers = blockers_for_regionals(ris)  # fixed query count, whatever the number of rows
    rows = []
    for ri in ris:
        found = blockers.get(ri.pk, [])
        if not blocking_only or any(b.blocking for b in found):
            rows.append(regional_state(ri, found))
    return rows
