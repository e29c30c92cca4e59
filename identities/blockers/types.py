"""Plain data the blockers engine works on (re-exported by identities.blockers.engine)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from identities.blockers import coverage
from identities.blockers.advice import Advice
from identities.blockers.deed import DeedParent
from regions.ses_types import EMAIL

Severity = Literal["blocking", "warning"]
CellStatus = Literal["sending", "blocked", "warning", "absent"]

BLOCKING: Severity = "blocking"
WARNING: Severity = "warning"

# Remedy actions the UI can turn into buttons (INTERFACES.md).
RESEND_VERIFICATION = "resend_verification"
PUBLISH_DNS = "publish_dns"
ADD_TO_REGION = "add_to_region"
REQUEST_PRODUCTION_ACCESS = "request_production_access"
SYNC_NOW = "sync_now"
CHECK_DNS = "check_dns"
ACTIONS = (
    RESEND_VERIFICATION,
    PUBLISH_DNS,
    ADD_TO_REGION,
    REQUEST_PRODUCTION_ACCESS,
    SYNC_NOW,
    CHECK_DNS,
)

# Every code the engine emits, with a short title for legends and filters.
CODES: dict[str, str] = {
    "not_in_region": "Not in this region",
    "verification_pending": "Verification pending",
    "verification_failed": "Verification failed",
    "verification_temporary_failure": "Verification temporarily failing",
    "dkim_pending": "DKIM pending",
    "dkim_failed": "DKIM failed",
    "dkim_signing_disabled": "DKIM signing off",
    "mail_from_pending": "MAIL FROM pending",
    "mail_from_failed": "MAIL FROM failed",
    "sandbox": "Sandbox",
    "sending_paused": "Sending paused",
    "account_probation": "Account on probation",
    "account_shutdown": "Account shut down",
    "quota_exhausted": "24-hour quota used up",
    "dns_missing": "DNS record missing",
    "dns_mismatch": "DNS record wrong",
    "dns_partial": "DNS record on some nameservers only",
    "stale": "Data out of date",
    "deed_parent_unhealthy": "DEED parent unhealthy",
    "ses_recommendation": "SES recommendation",
}

# Codes of the global-endpoint rules (identities/blockers/endpoints.py): they judge sending
# through an endpoint, not a grid cell, so the grid's filters and legends do not list them.
ENDPOINT_CODES: dict[str, str] = {
    "endpoint_not_ready": "Endpoint not ready",
    "endpoint_region_not_synced": "Region not synced",
    "endpoint_sandbox": "Production access needed",
    "endpoint_dkim": "DKIM needed in both regions",
    "endpoint_no_identity": "No identity ready",
}

SANDBOX_DAILY = 200


def is_verified_row(verified_for_sending: bool | None, status: str | None) -> bool:
    """Does SES let this identity send, by its own status? The one spelling of this rule,
    for rows and states alike: see coverage.verified (VerificationStatus decides; SES's
    VerifiedForSendingStatus only bridges a TEMPORARY_FAILURE or an unread status)."""
    return coverage.verified(status or "", verified_for_sending)


@dataclass(frozen=True)
class RegionState:
    """Account-level SES state of one account-region (from GetAccount, plus sync health)."""

    account_label: str
    code: str
    production_access_enabled: bool | None  # None = never read
    sending_enabled: bool | None
    enforcement_status: str  # HEALTHY | PROBATION | SHUTDOWN | "" (unknown)
    max_24_hour_send: float | None  # -1 = unlimited
    sent_last_24_hours: float | None
    stale: bool
    last_error: str
    last_success_at: datetime | None = None  # for the "out of date" message only

    @property
    def in_sandbox(self) -> bool | None:
        return (
            None if self.production_access_enabled is None else not self.production_access_enabled
        )


@dataclass(frozen=True)
class IdentityState:
    """One identity as SES holds it in one region."""

    name: str
    kind: str  # EMAIL_ADDRESS | DOMAIN
    present: bool
    verification_status: str = ""
    verified_for_sending: bool | None = None
    sending_enabled: bool | None = None
    verification_error_type: str = ""
    dkim_signing_enabled: bool | None = None
    dkim_status: str = ""
    dkim_origin: str = ""
    mail_from_domain: str = ""
    mail_from_status: str = ""
    mail_from_behavior: str = ""
    # Its domain is verified in this region: it does not make the identity send (its own
    # status decides), but the remedy says so (delete the address identity, or verify it).
    parent_domain_verified: bool = False
    # Other regions (of the same account) where the identity exists.
    other_regions: tuple[str, ...] = field(default_factory=tuple)
    # A DEED replica's parent (dkim_origin AWS_SES_<REGION>), when sesops holds its row.
    deed_parent: DeedParent | None = None
    # SES's open recommendations about it here (VDM Advisor), where VDM is enabled.
    advice: tuple[Advice, ...] = ()

    @property
    def is_email(self) -> bool:
        return self.kind == EMAIL

    @property
    def verified(self) -> bool:
        """Verified for sending by its own status: an identity is the most specific identity
        for its own name, so a verified parent domain does not count (coverage.py)."""
        return is_verified_row(self.verified_for_sending, self.verification_status)


@dataclass(frozen=True)
class DnsState:
    """One expected DNS record and the probe's verdict on it."""

    purpose: str  # dkim, byodkim, verification, mail_from_mx, mail_from_spf, dmarc...
    name: str
    rtype: str
    verdict: str  # ok | missing | wrong_value | wrong_type | partial | unknown
    severity: str = BLOCKING  # how much this record matters, as the probe rates it
    diagnosis: str = ""


@dataclass(frozen=True)
class Blocker:
    code: str
    severity: Severity
    message: str  # one line, plain words
    remedy: str  # what to do
    action: str | None = None  # one of ACTIONS

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    @property
    def title(self) -> str:
        return CODES.get(self.code) or ENDPOINT_CODES.get(self.code, self.code)

    def as_dict(self) -> dict[str, str | None]:
        """code, severity, message, remedy, action: the report's and the API's shape."""
        return asdict(self)
