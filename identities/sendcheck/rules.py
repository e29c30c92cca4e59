"""Would SES accept this send? SES's sending rules as pure functions (no ORM, no I/O).

The rules and error texts match what SES returns for SendEmail (and what emulator/account.py
emulates), checked in the same order:
1. account shut down -> AccountSuspendedException; account sending paused -> SendingPausedException;
2. more recipients than the 24-hour quota has left -> LimitExceededException
   ("Daily message quota exceeded.", `Throttling` in SES v1);
3. the sender must be verified in the region, directly or through its domain; in the sandbox
   every recipient too (address or domain), except mailbox-simulator addresses -> MessageRejected
   naming every identity that failed, region upper-cased;
4. a custom MAIL FROM with BehaviorOnMxFailure=REJECT_MESSAGE that is not verified
   -> MailFromDomainNotVerifiedException;
5. sending disabled for the sending identity -> MessageRejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from identities.blockers.engine import IdentityState, RegionState

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_LOCALS = frozenset({"success", "bounce", "ooto", "complaint", "suppressionlist"})
MAX_RECIPIENTS = 50  # SES's limit per message
MAX_LISTED = 10  # identities named in a MessageRejected text before the ellipsis

MESSAGE_REJECTED = "MessageRejected"
SENDING_PAUSED = "SendingPausedException"
ACCOUNT_SUSPENDED = "AccountSuspendedException"
MAIL_FROM_NOT_VERIFIED = "MailFromDomainNotVerifiedException"
QUOTA_EXCEEDED = "LimitExceededException"

_SEPARATORS = re.compile(r"[,;\n\r]+")


class InvalidAddress(ValueError):
    """A from/to value that is not an email address; str() is the message to show."""


@dataclass(frozen=True)
class SendCheckResult:
    accepted: bool
    error_code: str  # SES's error code, "" when accepted
    message: str  # SES's error text, "" when accepted
    reasons: list[str] = field(default_factory=list)  # why, in plain words, step by step
    fixes: list[str] = field(default_factory=list)  # what to do about a rejection

    @property
    def error(self) -> str:
        """`Code: message`, as the AWS CLI and SDKs print it."""
        return f"{self.error_code}: {self.message}" if self.error_code else ""


def normalise_address(text: str) -> str:
    """The bare address in `text` (a display name is allowed), domain lower-cased."""
    raw = (text or "").strip()
    _, addr = parseaddr(raw)
    addr = addr.strip()
    try:
        validate_email(addr)
    except ValidationError:
        raise InvalidAddress(f"'{raw}' is not a valid email address") from None
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"


def split_recipients(text: str | Iterable[str]) -> list[str]:
    """Addresses separated by commas, semicolons or new lines (or given as a list), normalised."""
    parts = _SEPARATORS.split(text) if isinstance(text, str) else list(text)
    out: list[str] = []
    for part in parts:
        if part.strip():
            addr = normalise_address(part)
            if addr not in out:
                out.append(addr)
    return out


def is_simulator(address: str) -> bool:
    """SES's mailbox simulator, plus-labels allowed (`success+test@simulator.amazonses.com`)."""
    local, _, domain = address.rpartition("@")
    return domain.lower() == SIMULATOR_DOMAIN and local.split("+", 1)[0].lower() in SIMULATOR_LOCALS


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def rejection_text(region_code: str, failed: Sequence[str]) -> str:
    shown = ", ".join(failed[:MAX_LISTED]) + (", ..." if len(failed) > MAX_LISTED else "")
    return (
        "Email address is not verified. The following identities failed the check in region "
        f"{region_code.upper()}: {shown}"
    )


def _verified(state: IdentityState | None) -> bool:
    return state is not None and state.present and state.verified


def _verifying_identity(
    address: str, identities: Mapping[str, IdentityState]
) -> IdentityState | None:
    """The identity that lets `address` send: the address itself, else its domain."""
    own = identities.get(address.lower())
    if _verified(own):
        return own
    domain = identities.get(domain_of(address))
    return domain if _verified(domain) else None


def _rejected(
    code: str, message: str, reasons: list[str], fixes: list[str] | None = None
) -> SendCheckResult:
    return SendCheckResult(False, code, message, reasons, fixes or [])


def check_send(
    *,
    sender: str,
    recipients: Sequence[str],
    region: RegionState,
    identities: Mapping[str, IdentityState],
) -> SendCheckResult:
    """Apply SES's rules. `identities`: lower-cased name -> state in this region, for the
    sender, the recipients and their domains (missing names are not identities there)."""
    where = region.code
    reasons: list[str] = []
    if not recipients:
        raise InvalidAddress("Give at least one recipient")
    if region.stale:
        reasons.append(f"The data for {where} may be out of date; sync it to be sure.")

    if (region.enforcement_status or "").upper() == "SHUTDOWN":
        reasons.append(f"AWS shut down sending for this account in {where}.")
        return _rejected(
            ACCOUNT_SUSPENDED,
            "Your account has been shut down.",
            reasons,
            ["Open the AWS support case, fix the cause and ask AWS to reinstate sending."],
        )
    if region.sending_enabled is False:
        reasons.append(f"Sending is paused for the whole account in {where}.")
        return _rejected(
            SENDING_PAUSED,
            "Sending is paused for this account.",
            reasons,
            [f"Fix the cause, then re-enable account sending in {where}."],
        )
    if len(recipients) > MAX_RECIPIENTS:
        reasons.append(f"SES takes at most {MAX_RECIPIENTS} recipients per message.")
        return _rejected(
            MESSAGE_REJECTED,
            f"Recipient count exceeds {MAX_RECIPIENTS}.",
            reasons,
            [f"Split the message: at most {MAX_RECIPIENTS} recipients each."],
        )
    quota, sent = region.max_24_hour_send, region.sent_last_24_hours
    if quota is not None and sent is not None and quota >= 0 and sent + len(recipients) > quota:
        reasons.append(
            f"{where} has sent {sent:,.0f} of its {quota:,.0f} messages in the last 24 hours."
        )
        fix = "Wait for the 24-hour window to roll over, or ask AWS for a higher quota"
        if region.in_sandbox:
            fix += f" (request production access for {where})"
        return _rejected(QUOTA_EXCEEDED, "Daily message quota exceeded.", reasons, [fix + "."])

    failed: list[str] = []
    via = _verifying_identity(sender, identities)
    if via is None:
        failed.append(sender)
        reasons.append(_unverified_reason("sender", sender, identities, where))
    elif via.name.lower() == sender.lower():
        reasons.append(f"The sender {sender} is verified in {where}.")
    else:
        reasons.append(f"The sender {sender} is verified in {where} through its domain {via.name}.")

    sandbox = region.in_sandbox
    if sandbox is None:
        reasons.append(
            f"Whether {where} is in the sandbox is unknown (never synced): assuming it is."
        )
    if sandbox is False:
        reasons.append(f"{where} has production access: recipients need not be verified.")
    else:
        if sandbox:
            reasons.append(f"{where} is in the sandbox: every recipient must be verified too.")
        for rcpt in recipients:
            if is_simulator(rcpt):
                reasons.append(f"{rcpt} is SES's mailbox simulator: always allowed.")
            elif _verifying_identity(rcpt, identities) is None:
                if rcpt not in failed:
                    failed.append(rcpt)
                reasons.append(_unverified_reason("recipient", rcpt, identities, where))
            else:
                reasons.append(f"The recipient {rcpt} is verified in {where}.")
    if failed:
        return _rejected(
            MESSAGE_REJECTED,
            rejection_text(where, failed),
            reasons,
            _verification_fixes(sender, failed, where, sandbox_checked=sandbox is not False),
        )

    assert via is not None  # the sender passed the check above
    mail_from = _mail_from_identity(sender, identities)
    if (
        mail_from is not None
        and (mail_from.mail_from_behavior or "").upper() == "REJECT_MESSAGE"
        and (mail_from.mail_from_status or "").upper() != "SUCCESS"
    ):
        reasons.append(
            f"The custom MAIL FROM {mail_from.mail_from_domain} is not verified "
            f"({(mail_from.mail_from_status or 'unknown').lower()}) and the behaviour on MX "
            "failure is to reject."
        )
        return _rejected(
            MAIL_FROM_NOT_VERIFIED,
            f"The MAIL FROM domain {mail_from.mail_from_domain} is not verified.",
            reasons,
            [
                f"Publish exactly one MX 10 feedback-smtp.{where}.amazonses.com and the SPF TXT "
                f"at {mail_from.mail_from_domain}, or set the behaviour on MX failure to use "
                "the default MAIL FROM."
            ],
        )
    if via.sending_enabled is False:
        reasons.append(f"Sending is disabled for the identity {via.name}.")
        return _rejected(
            MESSAGE_REJECTED,
            f"Sending is disabled for identity {via.name}.",
            reasons,
            [f"Re-enable sending for the identity {via.name} in {where}."],
        )
    reasons.append("SES would accept this message.")
    return SendCheckResult(True, "", "", reasons)


def _verification_fixes(
    sender: str, failed: Sequence[str], where: str, *, sandbox_checked: bool
) -> list[str]:
    fixes: list[str] = []
    if sender in failed:
        fixes.append(
            f"Verify {sender} in {where} (its owner clicks the link SES mails), or verify its "
            f"domain {domain_of(sender)} there by publishing the DNS records."
        )
    recipients = [r for r in failed if r != sender]
    if recipients and sandbox_checked:
        fixes.append(f"Request production access for {where} so that any recipient is allowed.")
        named = ", ".join(recipients[:3]) + (" and others" if len(recipients) > 3 else "")
        fixes.append(
            f"Until then, verify {named} in {where}, or test with success@{SIMULATOR_DOMAIN}."
        )
    return fixes


def _mail_from_identity(
    sender: str, identities: Mapping[str, IdentityState]
) -> IdentityState | None:
    """The identity whose custom MAIL FROM applies: the address's own, else its domain's."""
    for name in (sender.lower(), domain_of(sender)):
        state = identities.get(name)
        if state is not None and state.present and state.mail_from_domain:
            return state
    return None


def _unverified_reason(
    role: str, address: str, identities: Mapping[str, IdentityState], where: str
) -> str:
    own = identities.get(address.lower())
    domain = domain_of(address)
    if own is not None and own.present:
        status = (own.verification_status or "unknown").lower().replace("_", " ")
        return (
            f"The {role} {address} is an identity in {where} but not verified ({status}); "
            f"its domain {domain} is not verified there either."
        )
    return f"The {role} {address} is not verified in {where}, nor is its domain {domain}."


def names_to_look_up(sender: str, recipients: Iterable[str]) -> set[str]:
    """Identity names (lower-cased) whose state the check needs: addresses and their domains."""
    names: set[str] = set()
    for addr in (sender, *recipients):
        names.add(addr.lower())
        names.add(domain_of(addr))
    return names
