"""Request and response shapes of /api/v1/ (django-ninja schemas -> the OpenAPI document).

Plain data only: every value is computed by the selectors and services the pages use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from identities.selectors.report import RegionalState

# PostgreSQL text cannot hold NUL: a string with one is refused here (422), not by the database.
NO_NUL = r"^[^\x00]*$"
Address = Annotated[str, Field(max_length=320, pattern=NO_NUL)]


class Error(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


class IdentityOut(Schema):
    id: int
    account: str
    name: str
    kind: Literal["EMAIL_ADDRESS", "DOMAIN"]
    domain: str
    blocked: bool = Field(description="Blocked in at least one of the shown regions")
    regions: list[RegionalState]


class IdentityPage(Schema):
    count: int = Field(description="Identities matching the filters")
    blocked: int = Field(description="Of those, blocked in at least one shown region")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")
    results: list[IdentityOut]


class NameserverAnswer(Schema):
    host: str
    address: str
    served: str = Field(description="What it served, e.g. 'CNAME x.dkim.amazonses.com'")
    ttl: int | None
    delegated: bool = Field(description="False: a nameserver the parent zone does not list")
    notes: list[str]


class DnsRecordOut(Schema):
    purpose: str
    name: str
    rtype: str
    expected: str
    severity: str
    verdict: str
    diagnosis: list[str]
    checked_at: datetime
    answers: list[NameserverAnswer]


class RegionDnsOut(Schema):
    region: str
    checked_at: datetime | None
    to_publish: int = Field(description="Records still to publish or fix")
    zone_file: str
    records: list[DnsRecordOut]


class IdentityDetailOut(Schema):
    id: int
    account: str
    name: str
    kind: Literal["EMAIL_ADDRESS", "DOMAIN"]
    domain: str
    regions: list[RegionalState]
    dns: list[RegionDnsOut]


class Quota(Schema):
    max_24_hour_send: float | None = Field(description="-1 = unlimited")
    max_send_rate: float | None
    sent_last_24_hours: float | None


class Review(Schema):
    status: str = Field(description="PENDING, GRANTED, DENIED, FAILED or ''")
    case_id: str


class Coverage(Schema):
    usable_here: int
    usable_elsewhere: int
    missing_here: int = Field(description="Usable in another region of the account, not here")


class AccountRegionOut(Schema):
    id: int
    account: str
    region: str
    hidden: bool
    sandbox: bool | None
    sending_enabled: bool | None
    enforcement_status: str
    quota: Quota
    review: Review
    mail_type: str
    stale: bool
    last_success_at: datetime | None
    last_error: str
    coverage: Coverage


class EventOut(Schema):
    id: int
    created_at: datetime
    kind: str
    actor: str
    account: str | None
    region: str | None
    identity: str
    subject: str
    before: str
    after: str
    result: str
    message: str


class EventPage(Schema):
    next_cursor: str | None
    results: list[EventOut]


class SendCheckIn(Schema):
    sender: Address = Field(alias="from", description="The From address")
    to: list[Address] = Field(min_length=1, max_length=50)
    return_path: Address = Field(
        default="", description="Return-Path / feedback address (optional; SES checks it too)"
    )
    region: str = Field(max_length=32, pattern=NO_NUL)
    account: str | None = Field(
        default=None,
        max_length=64,
        pattern=NO_NUL,
        description="Account label (optional with one account)",
    )


class SendCheckOut(Schema):
    accepted: bool
    error_code: str = Field(description="SES's error code, '' when accepted")
    message: str = Field(description="SES's error message, '' when accepted")
    error: str = Field(description="'Code: message' as the AWS CLI prints it")
    reasons: list[str]
    fixes: list[str]


class RecordOut(Schema):
    purpose: str
    name: str
    rtype: str
    value: str = Field(description="What to publish (BYODKIM and DMARC: a template)")
    blocking: bool


class RegionOutcomeOut(Schema):
    region: str
    ok: bool
    message: str
    records: list[RecordOut] = Field(description="DNS records to publish (a new domain region)")


class ActionOut(Schema):
    ok: bool = Field(description="False: nothing was done (the message says why)")
    level: Literal["success", "warning", "error"]
    message: str
    regions: list[RegionOutcomeOut]


RegionCode = Annotated[str, Field(max_length=32, pattern=NO_NUL)]


class ResendIn(Schema):
    regions: list[RegionCode] | None = Field(
        default=None,
        max_length=50,
        description="Region codes to send from (default: every region where it is unverified)",
    )


class DkimIn(Schema):
    mode: Literal["easy", "deed", "byodkim"] = "easy"
    parent: RegionCode = Field(default="", description="deed: the region whose records to reuse")
    selector: str = Field(default="", max_length=63, pattern=NO_NUL, description="byodkim")
    private_key: str = Field(default="", max_length=10000, pattern=NO_NUL, description="byodkim")


class AddToRegionsIn(Schema):
    regions: list[RegionCode] = Field(min_length=1, max_length=50)
    dkim: DkimIn = Field(default_factory=DkimIn, description="Domains only")
