"""What regions/ses.py returns: SES answers mapped to our own frozen dataclasses, and SesError.

SES v1 spells statuses `TemporaryFailure` / behaviours `RejectMessage`; v2 spells them
`TEMPORARY_FAILURE` / `REJECT_MESSAGE`. Everything here uses the v2 spelling so the rest of
the code compares one vocabulary.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

# SES identity types: the one place these values are spelled (models, engine, sync use them).
EMAIL = "EMAIL_ADDRESS"
DOMAIN = "DOMAIN"

# Codes that are never worth retrying: the same request will get the same answer.
PERMANENT_CODES = frozenset(
    {
        "LimitExceededException",  # a resource cap (e.g. 10,000 identities), not throttling
        "AccessDenied",
        "AccessDeniedException",
        "NotFoundException",
        "BadRequestException",
        "AlreadyExistsException",
        "ConflictException",
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "MailFromDomainNotVerified",
        "SendingPausedException",
        "AccountSuspendedException",
        "InvalidParameterValue",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "ValidationError",
        "ValidationException",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
# The code of an SesError for a request SES received but did not answer in time.
UNANSWERED = "NoAnswer"
THROTTLING_CODES = frozenset(
    {"TooManyRequestsException", "Throttling", "ThrottlingException", "RequestThrottled"}
)

_FRIENDLY = {
    "AccessDenied": "access denied: the AWS credentials may not call SES here",
    "AccessDeniedException": "access denied: the AWS credentials may not call SES here",
    "LimitExceededException": "an SES limit was reached",
    "TooManyRequestsException": "SES throttled the request (too many requests)",
    "Throttling": "SES throttled the request (too many requests)",
    "NotFoundException": "not found in SES",
    "AlreadyExistsException": "already exists in SES",
    "ConflictException": "SES refused because of a conflicting operation in progress",
    "ConnectionError": "SES could not be reached",
}


class SesError(Exception):
    """Any failure of an SES call. `permanent` errors are not retried; transient ones are."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        permanent: bool,
        throttled: bool = False,
        http_status: int | None = None,
        operation: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permanent = permanent
        self.throttled = throttled
        self.http_status = http_status
        self.operation = operation

    @property
    def unanswered(self) -> bool:
        """Sent but not answered in time: SES may have done it (a sync will tell)."""
        return self.code == UNANSWERED

    def __str__(self) -> str:
        what = _FRIENDLY.get(self.code, self.code)
        where = f"{self.operation}: " if self.operation else ""
        detail = f" ({self.message})" if self.message and self.message != what else ""
        return f"{where}{what}{detail}"

    def __repr__(self) -> str:
        return f"SesError({self.code!r}, {self.message!r}, permanent={self.permanent})"


def is_permanent(code: str, http_status: int | None) -> bool:
    if code in THROTTLING_CODES or http_status == 429:
        return False
    if code in PERMANENT_CODES:
        return True
    # Unknown codes: 4xx means the request itself is wrong, 5xx / no answer is worth retrying.
    return http_status is not None and 400 <= http_status < 500


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


# Cached: a sync spells two statuses per identity from a vocabulary of a dozen words.
@functools.lru_cache(maxsize=256)
def v2_spelling(value: str | None) -> str:
    """`TemporaryFailure` -> `TEMPORARY_FAILURE`; v2 values pass through unchanged."""
    if not value:
        return ""
    if value.isupper() or "_" in value:
        return value
    return _CAMEL.sub("_", value).upper()


@dataclass(frozen=True)
class AccountState:
    """GetAccount (v2) for one region."""

    production_access_enabled: bool | None
    sending_enabled: bool | None
    enforcement_status: str
    max_24_hour_send: float | None
    max_send_rate: float | None
    sent_last_24_hours: float | None
    mail_type: str = ""
    website_url: str = ""
    contact_language: str = ""
    use_case_description: str = ""
    additional_contacts: tuple[str, ...] = ()
    review_status: str = ""
    review_case_id: str = ""
    # VdmAttributes.VdmEnabled == ENABLED (an answer without VdmAttributes: not enabled).
    vdm_enabled: bool | None = None


@dataclass(frozen=True, slots=True)  # one per identity: 10,000 a region
class IdentitySummary:
    """One item of ListEmailIdentities (v2)."""

    name: str
    kind: str  # EMAIL_ADDRESS | DOMAIN
    sending_enabled: bool | None
    verification_status: str


@dataclass(frozen=True, slots=True)  # one per identity: 10,000 a region
class VerificationAttributes:
    """GetIdentityVerificationAttributes (v1). `token` is the legacy `_amazonses` TXT value."""

    status: str
    token: str = ""


@dataclass(frozen=True, slots=True)  # one per identity: 10,000 a region
class DkimAttributes:
    """GetIdentityDkimAttributes (v1): no origin or signing zone (GetEmailIdentity has them)."""

    signing_enabled: bool | None
    status: str
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)  # one per identity: 10,000 a region
class MailFromAttributes:
    """GetIdentityMailFromDomainAttributes (v1)."""

    domain: str
    status: str
    behavior: str


@dataclass(frozen=True, slots=True)  # held until the write: 1,400 on a 10,000-identity first sync
class IdentityDetails:
    """GetEmailIdentity (v2), or CreateEmailIdentity's answer (fewer fields)."""

    name: str
    kind: str
    verification_status: str = ""
    verified_for_sending: bool | None = None
    error_type: str = ""
    last_checked_at: datetime | None = None
    last_success_at: datetime | None = None
    soa_serial: int | None = None  # VerificationInfo.SOARecord: the zone's SOA SES last saw
    soa_primary_ns: str = ""
    dkim_signing_enabled: bool | None = None
    dkim_status: str = ""
    dkim_tokens: tuple[str, ...] = ()
    dkim_origin: str = ""
    dkim_signing_zone: str = ""
    mail_from_domain: str = ""
    mail_from_status: str = ""
    mail_from_behavior: str = ""


@dataclass(frozen=True)
class Recommendation:
    """One item of ListRecommendations (v2, VDM Advisor). `resource_arn` names what it is
    about, e.g. `arn:aws:ses:us-east-1:123456789012:identity/example.com`."""

    resource_arn: str
    type: str  # DKIM | DMARC | SPF | BIMI | COMPLAINT | BOUNCE | FEEDBACK_3P | IP_LISTING
    description: str
    status: str  # OPEN | FIXED
    impact: str  # HIGH | LOW
    created_at: datetime | None = None
    updated_at: datetime | None = None


def identity_name_of(resource_arn: str, region_code: str = "") -> str:
    """The identity an SES ARN names (`arn:aws:ses:<region>:<account>:identity/<name>`), or
    "" when it names something else (or another region, when `region_code` is given)."""
    parts = (resource_arn or "").split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "ses":
        return ""
    if region_code and parts[3] != region_code:
        return ""
    kind, _, name = parts[5].partition("/")
    return name if kind == "identity" else ""


def kind_of(name: str) -> str:
    return EMAIL if "@" in name else DOMAIN


@dataclass(frozen=True)
class MultiRegionEndpoint:
    """One item of ListMultiRegionEndpoints (v2): a global endpoint whose primary region is the
    region it was listed in (SES lists an endpoint only there), and its secondary region."""

    name: str
    endpoint_id: str
    status: str  # CREATING | READY | FAILED | DELETING
    primary: str
    secondary: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
