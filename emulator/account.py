"""Per-region account rules: production-access review, quota and SendEmail's checks."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

from emulator import vdm
from emulator.errors import SesError, bad_request
from emulator.faults import take_send_rate
from emulator.identities import check_address
from emulator.lifecycle import Evaluator
from emulator.senders import bare_address, governing_identity, is_simulator
from emulator.state import PRODUCTION_QUOTA, Region, State

_URL = re.compile(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?")
MAX_LISTED = 10  # identities named in a MessageRejected text before the ellipsis


def resolve_review(state: State, reg: Region) -> None:
    """A PENDING review resolves to the region's outcome once its delay has passed."""
    review = reg.review
    if not review or review["status"] != "PENDING":
        return
    delay = reg.review_delay_seconds
    if delay is None:
        delay = state.settings.review_delay_seconds
    if state.now() >= review["requested_at"] + delay:
        finish_review(reg, reg.review_outcome or state.settings.review_outcome)


def finish_review(reg: Region, status: str, now: float | None = None) -> None:
    if status not in ("GRANTED", "DENIED", "FAILED", "PENDING"):
        raise ValueError("review status must be GRANTED, DENIED, FAILED or PENDING")
    if reg.review is None or status == "PENDING":
        reg.review = {
            "case_id": _case_id(),
            "requested_at": now if now is not None else time.time(),
        }
    reg.review["status"] = status
    if status == "GRANTED":
        set_production(reg, True)


def set_production(reg: Region, production: bool) -> None:
    reg.production = production
    reg.max_24h, reg.max_send_rate = PRODUCTION_QUOTA if production else (200.0, 1.0)


def _case_id() -> str:
    return str(secrets.randbelow(9 * 10**10) + 10**10)


def account_json(state: State, reg: Region) -> dict[str, Any]:
    resolve_review(state, reg)
    out: dict[str, Any] = {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": reg.enforcement_status,
        "ProductionAccessEnabled": reg.production,
        "SendQuota": quota_json(state, reg),
        "SendingEnabled": reg.sending_enabled,
        "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        **vdm.account_json(reg),
    }
    if reg.details is not None or reg.review is not None:
        details = dict(reg.details or {})
        if reg.review is not None:
            details["ReviewDetails"] = {
                "Status": reg.review["status"],
                "CaseId": reg.review["case_id"],
            }
        out["Details"] = details
    return out


def quota_json(state: State, reg: Region) -> dict[str, float]:
    return {
        "Max24HourSend": float(reg.max_24h),
        "MaxSendRate": float(reg.max_send_rate),
        "SentLast24Hours": float(reg.sent_last_24h(state.now())),
    }


def put_account_details(state: State, reg: Region, body: dict[str, Any]) -> None:
    resolve_review(state, reg)
    if reg.review and reg.review["status"] == "PENDING":
        raise SesError(
            "ConflictException",
            "A review of your production access request is already in progress.",
        )
    mail_type, url = body.get("MailType"), body.get("WebsiteURL")
    if mail_type not in ("MARKETING", "TRANSACTIONAL"):
        raise bad_request(f"Invalid MailType: {mail_type}.")
    if not isinstance(url, str) or not 1 <= len(url) <= 1000 or not _URL.match(url):
        raise bad_request("Invalid WebsiteURL.")
    lang = body.get("ContactLanguage")
    if lang is not None and lang not in ("EN", "JA"):
        raise bad_request(f"Invalid ContactLanguage: {lang}.")
    extra = body.get("AdditionalContactEmailAddresses")
    if extra is not None:
        if not isinstance(extra, list) or not 1 <= len(extra) <= 4:
            raise bad_request("AdditionalContactEmailAddresses must hold 1 to 4 addresses.")
        extra = [check_address(a) for a in extra]
    use_case = body.get("UseCaseDescription")
    if use_case is not None and (not isinstance(use_case, str) or len(use_case) > 5000):
        raise bad_request("Invalid UseCaseDescription.")
    details: dict[str, Any] = {
        "MailType": mail_type,
        "WebsiteURL": url,
        "ContactLanguage": lang or "EN",
    }
    if use_case is not None:
        details["UseCaseDescription"] = use_case
    if extra:
        details["AdditionalContactEmailAddresses"] = extra
    reg.details = details
    wants = body.get("ProductionAccessEnabled")
    if wants is not None and not isinstance(wants, bool):
        raise bad_request("ProductionAccessEnabled must be a boolean.")
    if wants and not reg.production:
        reg.review = {"status": "PENDING", "case_id": _case_id(), "requested_at": state.now()}


def _rejected(region: str, failed: list[str]) -> SesError:
    shown = ", ".join(failed[:MAX_LISTED]) + (", ..." if len(failed) > MAX_LISTED else "")
    return SesError(
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region "
        f"{region.upper()}: {shown}",
    )


# Observed in public logs (v1 MessageRejected); v2 answers SendingPausedException.
PAUSED_TEXT = (
    "Sending paused for this account. For more information, please check the inbox of the "
    "email address associated with your AWS account."
)
# No public source gives SES's text for a shut-down account: this wording is the emulator's.
SHUTDOWN_TEXT = "Your account has been shut down."


def _account_checks(reg: Region) -> None:
    if reg.enforcement_status.upper() == "SHUTDOWN":
        raise SesError("AccountSuspendedException", SHUTDOWN_TEXT)
    if not reg.sending_enabled:
        raise SesError("SendingPausedException", PAUSED_TEXT, v1_code="MessageRejected")


def _unverified(ev: Evaluator, reg: Region, senders: list[str], rcpts: list[str]) -> list[str]:
    """The addresses, as given (display names kept), that fail SES's identity check."""
    failed = [raw for raw in senders if not ev.address_verified(reg, bare_address(raw))]
    if not reg.production:
        failed += [
            raw
            for raw in rcpts
            if not is_simulator(bare_address(raw))
            and not ev.address_verified(reg, bare_address(raw))
        ]
    return list(dict.fromkeys(failed))


def _identity_checks(ev: Evaluator, reg: Region, sender: str) -> None:
    """The most specific identity's own settings: sending enabled, MAIL FROM behaviour."""
    ident = governing_identity(reg, sender)
    if ident is None:
        return
    if (
        ident.mail_from_domain
        and ident.behavior_on_mx_failure == "REJECT_MESSAGE"
        and ev.evaluate(reg, ident).mail_from.status != "SUCCESS"
    ):
        raise SesError(
            "MailFromDomainNotVerifiedException",
            f"The MAIL FROM domain {ident.mail_from_domain} is not verified.",
        )
    if not ident.sending_enabled:
        raise SesError("MessageRejected", f"Sending is disabled for identity {ident.name}.")


def send_email(
    state: State,
    ev: Evaluator,
    reg: Region,
    source: str,
    recipients: list[str],
    subject: str,
    body: str,
    return_path: str | None = None,
) -> str:
    """Apply SES's sending rules; record the message; return its MessageId."""
    _account_checks(reg)
    senders = [source] + ([return_path] if return_path else [])
    for raw in senders + recipients:
        check_address(raw)
    if not recipients:
        raise bad_request("Missing required header 'To'.")
    if len(recipients) > 50:
        raise SesError("MessageRejected", "Recipient count exceeds 50.")
    now = state.now()
    # Mailbox-simulator messages do not count against the daily quota.
    counted = sum(1 for r in recipients if not is_simulator(bare_address(r)))
    if counted and reg.sent_last_24h(now) + counted > reg.max_24h >= 0:
        raise SesError(
            "LimitExceededException", "Daily message quota exceeded.", v1_code="Throttling"
        )
    failed = _unverified(ev, reg, senders, recipients)
    if failed:
        raise _rejected(reg.name, failed)
    sender = check_address(source)
    _identity_checks(ev, reg, sender)
    # Every recipient counts against the rate (mailbox simulator included); only messages
    # SES would accept take from it.
    if not take_send_rate(state, reg, len(recipients)):
        raise SesError(
            "TooManyRequestsException", "Maximum sending rate exceeded.", v1_code="Throttling"
        )
    message_id = f"{int(now * 1000):016x}-{uuid.uuid4()}-000000"
    with state.lock:
        if counted:
            reg.sent.append((now, counted))
        state.mail.append(
            {
                "kind": "message",
                "account": reg.account_id,
                "region": reg.name,
                "from": sender,
                "to": [check_address(r) for r in recipients],
                "return_path": return_path,
                "subject": subject,
                "body": body,
                "message_id": message_id,
                "sent_at": now,
            }
        )
    return message_id
