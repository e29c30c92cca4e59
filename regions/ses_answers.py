"""SES's answers and errors mapped to regions/ses_types.py: pure functions over botocore's
response dicts and exceptions, so regions/ses.py keeps only the calls."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

from regions import ses_types
from regions.ses_types import (
    THROTTLING_CODES,
    UNANSWERED,
    SesError,
    is_permanent,
    kind_of,
    v2_spelling,
)

# BotoCoreErrors that no retry can cure: missing credentials or a bad profile.
_PERMANENT_BOTOCORE = frozenset(
    {"NoCredentialsError", "ProfileNotFound", "NoRegionError", "PartialCredentialsError"}
)


def opt_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def utc(value: object) -> datetime | None:
    """A timestamp botocore parsed, in UTC. botocore gives each one its own `tzlocal()`
    object (~0.3 KB): two per GetEmailIdentity answer, held until the sync writes."""
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _shared(text: str) -> str:
    """Values repeated across a region's identities (identity type, DKIM origin, signing
    zone, nameserver, error type): one string each, not one per identity held until the
    write."""
    return sys.intern(text) if len(text) <= 253 else text


def client_error(exc: ClientError, operation: str) -> SesError:
    error = exc.response.get("Error", {})
    code = error.get("Code") or "Unknown"
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    throttled = code in THROTTLING_CODES or status == 429
    message = error.get("Message", "") or str(exc)
    if message.lstrip().startswith("<"):
        # An HTML error page (a proxy, or an endpoint without this operation).
        message = f"HTTP {status}: the endpoint answered with an error page"
    return SesError(
        code,
        message,
        permanent=is_permanent(code, status),
        throttled=throttled,
        http_status=status,
        operation=exc.operation_name or operation,
    )


def botocore_error(exc: BotoCoreError, operation: str, read_timeout: float) -> SesError:
    # Connection refused / timeouts / bad responses after retries: transient.
    permanent = type(exc).__name__ in _PERMANENT_BOTOCORE
    code = "ConnectionError" if not permanent else type(exc).__name__
    message = str(exc)
    if isinstance(exc, ReadTimeoutError):
        # Sent, but no answer: SES may have acted. Callers say the outcome is unknown.
        code = UNANSWERED
        message = f"SES did not answer in {read_timeout:g} s"
    return SesError(code, message, permanent=permanent, operation=operation)


def account_state(data: dict) -> ses_types.AccountState:
    """GetAccount (v2)."""
    quota = data.get("SendQuota") or {}
    details = data.get("Details") or {}
    review = details.get("ReviewDetails") or {}
    return ses_types.AccountState(
        production_access_enabled=opt_bool(data.get("ProductionAccessEnabled")),
        sending_enabled=opt_bool(data.get("SendingEnabled")),
        enforcement_status=data.get("EnforcementStatus") or "",
        max_24_hour_send=quota.get("Max24HourSend"),
        max_send_rate=quota.get("MaxSendRate"),
        sent_last_24_hours=quota.get("SentLast24Hours"),
        mail_type=details.get("MailType") or "",
        website_url=details.get("WebsiteURL") or "",
        contact_language=details.get("ContactLanguage") or "",
        use_case_description=details.get("UseCaseDescription") or "",
        additional_contacts=tuple(details.get("AdditionalContactEmailAddresses") or ()),
        review_status=review.get("Status") or "",
        review_case_id=review.get("CaseId") or "",
        # Absent VdmAttributes: VDM was never set up in the region, so it is not enabled.
        vdm_enabled=(data.get("VdmAttributes") or {}).get("VdmEnabled") == "ENABLED",
    )


def identity_summary(item: dict) -> ses_types.IdentitySummary:
    """One item of ListEmailIdentities (v2)."""
    name = item.get("IdentityName") or ""
    return ses_types.IdentitySummary(
        name=name,
        kind=_shared(item.get("IdentityType") or kind_of(name)),
        sending_enabled=opt_bool(item.get("SendingEnabled")),
        verification_status=v2_spelling(item.get("VerificationStatus")),
    )


def verification_attributes(attrs: dict) -> ses_types.VerificationAttributes:
    return ses_types.VerificationAttributes(
        status=v2_spelling(attrs.get("VerificationStatus")),
        token=attrs.get("VerificationToken") or "",
    )


def dkim_attributes(attrs: dict) -> ses_types.DkimAttributes:
    return ses_types.DkimAttributes(
        signing_enabled=opt_bool(attrs.get("DkimEnabled")),
        status=v2_spelling(attrs.get("DkimVerificationStatus")),
        tokens=tuple(attrs.get("DkimTokens") or ()),
    )


def mail_from_attributes(attrs: dict) -> ses_types.MailFromAttributes:
    return ses_types.MailFromAttributes(
        domain=attrs.get("MailFromDomain") or "",
        status=v2_spelling(attrs.get("MailFromDomainStatus")),
        behavior=v2_spelling(attrs.get("BehaviorOnMXFailure")),
    )


def _dkim_fields(dkim: dict) -> dict:
    return {
        "dkim_signing_enabled": opt_bool(dkim.get("SigningEnabled")),
        "dkim_status": v2_spelling(dkim.get("Status")),
        "dkim_tokens": tuple(dkim.get("Tokens") or ()),
        "dkim_origin": _shared(dkim.get("SigningAttributesOrigin") or ""),
        "dkim_signing_zone": _shared(dkim.get("SigningHostedZone") or ""),
    }


def created_details(name: str, data: dict) -> ses_types.IdentityDetails:
    """CreateEmailIdentity (v2): fewer fields than GetEmailIdentity."""
    return ses_types.IdentityDetails(
        name=name,
        kind=data.get("IdentityType") or kind_of(name),
        verified_for_sending=opt_bool(data.get("VerifiedForSendingStatus")),
        **_dkim_fields(data.get("DkimAttributes") or {}),
    )


def identity_details(name: str, data: dict) -> ses_types.IdentityDetails:
    """GetEmailIdentity (v2)."""
    mail_from = data.get("MailFromAttributes") or {}
    info = data.get("VerificationInfo") or {}
    soa = info.get("SOARecord") or {}
    return ses_types.IdentityDetails(
        name=name,
        kind=data.get("IdentityType") or kind_of(name),
        verification_status=v2_spelling(data.get("VerificationStatus")),
        verified_for_sending=opt_bool(data.get("VerifiedForSendingStatus")),
        error_type=_shared(info.get("ErrorType") or ""),
        last_checked_at=utc(info.get("LastCheckedTimestamp")),
        last_success_at=utc(info.get("LastSuccessTimestamp")),
        soa_serial=_soa_serial(soa.get("SerialNumber")),
        soa_primary_ns=_shared(str(soa.get("PrimaryNameServer") or "").rstrip(".").lower()[:253]),
        mail_from_domain=mail_from.get("MailFromDomain") or "",
        mail_from_status=v2_spelling(mail_from.get("MailFromDomainStatus")),
        mail_from_behavior=v2_spelling(mail_from.get("BehaviorOnMxFailure")),
        **_dkim_fields(data.get("DkimAttributes") or {}),
    )


def multi_region_endpoint(region_code: str, item: dict) -> ses_types.MultiRegionEndpoint:
    """One item of ListMultiRegionEndpoints (v2). `Regions` holds the primary (the region
    listing it) and the secondary, in no order the model promises: the secondary is the one
    that is not this region."""
    regions = [r for r in item.get("Regions") or [] if r]
    others = [r for r in regions if r != region_code]
    return ses_types.MultiRegionEndpoint(
        name=item.get("EndpointName") or "",
        endpoint_id=item.get("EndpointId") or "",
        status=item.get("Status") or "",
        primary=region_code,
        secondary=others[0] if others else "",
        created_at=item.get("CreatedTimestamp"),
        updated_at=item.get("LastUpdatedTimestamp"),
    )


def _soa_serial(value: object) -> int | None:
    """SOARecord.SerialNumber (a long in the model; an SOA serial is 32-bit unsigned)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        serial = int(value)
    except ValueError:
        return None
    return serial if 0 <= serial < 2**32 else None


def recommendation(item: dict) -> ses_types.Recommendation:
    """One item of ListRecommendations (v2, VDM Advisor)."""
    return ses_types.Recommendation(
        resource_arn=item.get("ResourceArn") or "",
        type=item.get("Type") or "",
        description=item.get("Description") or "",
        status=item.get("Status") or "",
        impact=item.get("Impact") or "",
        created_at=item.get("CreatedTimestamp"),
        updated_at=item.get("LastUpdatedTimestamp"),
    )
