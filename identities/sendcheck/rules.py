"""Would SES accept this send? SES's sending rules as pure functions (no ORM, no I/O).

The rules and error texts match what SES returns for SendEmail (and what emulator/account.py
emulates), checked in the same order (docs/ses-rules.md lists each with its source):
1. account shut down -> AccountSuspendedException (sesops' wording, said so); account
   sending paused -> SendingPausedException with SES's observed text;
2. more recipients than the 24-hour quota has left -> LimitExceededException (mailbox-
   simulator recipients do not count);
3. the sender and the Return-Path must each be covered by a verified identity, the most
   specific one deciding (identities/blockers/coverage.py); in the sandbox every recipient
   too, except mailbox-simulator addresses -> MessageRejected naming every address that
   failed as it was given, region upper-cased;
4. the sender's most specific identity: a custom MAIL FROM with REJECT_MESSAGE that is not
   verified -> MailFromDomainNotVerifiedException; sending disabled -> MessageRejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from identities.blockers import coverage
from identities.blockers.engine import IdentityState, RegionState
from identities.sendcheck.addresses import (
    SIMULATOR_DOMAIN,
    InvalidAddress,
    bare_address,
    domain_of,
    given_address,
    is_simulator,
    split_recipients,
)

__all__ = [
    "InvalidAddress",
    "SendCheckResult",
    "check_send",
    "given_address",
    "is_simulator",
    "names_to_look_up",
    "rejection_text",
    "split_recipients",
]

MAX_RECIPIENTS = 50  # SES's limit per message
MAX_LISTED = 10  # identities named in a MessageRejected text before the ellipsis

MESSAGE_REJECTED = "MessageRejected"
SENDING_PAUSED = "SendingPausedException"
ACCOUNT_SUSPENDED = "AccountSuspendedException"
MAIL_FROM_NOT_VERIFIED = "MailFromDomainNotVerifiedException"
QUOTA_EXCEEDED = "LimitExceededException"

# SES's text for paused sending, as observed in public logs (SES v1 answers it with
# MessageRejected; v2, which sesops calls, with SendingPausedException).
PAUSED_TEXT = (
    "Sending paused for this account. For more information, please check the inbox of the "
    "email address associated with your AWS account."
)
# No public source gives SES's text for a shut-down account: this wording is sesops' own,
# and the result says so (SendCheckResult.own_wording).
SHUTDOWN_TEXT = "Your account has been shut down."


@dataclass(frozen=True)
class FixAction:
    """The sesops action that carries out a fix, as data (the rules know no URLs): the page
    links it; the CLI and the API keep the text."""

    kind: str  # "identity": the identity's page (resend, add, DNS) | "production_access"
    subject: str = ""  # the address or identity name concerned


@dataclass(frozen=True)
class SendCheckResult:
    accepted: bool
    error_code: str  # SES's error code, "" when accepted
    message: str  # SES's error text, "" when accepted
    reasons: list[str] = field(default_factory=list)  # why, in plain words, step by step
    fixes: list[str] = field(default_factory=list)  # what to do about a rejection
    own_wording: bool = False  # the message is sesops' wording: SES's text is not published
    fix_actions: dict[str, FixAction] = field(default_factory=dict)  # fix text -> its action

    @property
    def fix_items(self) -> list[tuple[str, FixAction | None]]:
        return [(fix, self.fix_actions.get(fix)) for fix in self.fixes]

    @property
    def error(self) -> str:
        """`Code: message`, as the AWS CLI and SDKs print it."""
        return f"{self.error_code}: {self.message}" if self.error_code else ""

    @property
    def wording_note(self) -> str:
        """Said wherever the error is shown, when the text is not SES's own."""
        if not self.own_wording:
            return ""
        return "This wording is sesops', not SES's: AWS publishes no text for this error."


def rejection_text(region_code: str, failed: Sequence[str]) -> str:
    shown = ", ".join(failed[:MAX_LISTED]) + (", ..." if len(failed) > MAX_LISTED else "")
    return (
        "Email address is not verified. The following identities failed the check in region "
        f"{region_code.upper()}: {shown}"
    )


def _allowed(address: str, identities: Mapping[str, IdentityState]) -> IdentityState | None:
    """The identity that lets `address` send, or None: the most specific identity covering
    it must be verified (identities/blockers/coverage.py)."""
    found = coverage.governing(bare_address(address), identities)
    return found if found is not None and found.present and found.verified else None


def _rejected(
    code: str,
    message: str,
    reasons: list[str],
    fixes: list[str] | None = None,
    *,
    own_wording: bool = False,
    actions: dict[str, FixAction] | None = None,
) -> SendCheckResult:
    return SendCheckResult(
        False, code, message, reasons, fixes or [], own_wording, fix_actions=actions or {}
    )


def _account_refusal(region: RegionState, reasons: list[str]) -> SendCheckResult | None:
    where = region.code
    if (region.enforcement_status or "").upper() == "SHUTDOWN":
        reasons.append(f"AWS shut down sending for this account in {where}.")
        return _rejected(
            ACCOUNT_SUSPENDED,
            SHUTDOWN_TEXT,
            reasons,
            ["Open the AWS support case, fix the cause and ask AWS to reinstate sending."],
            own_wording=True,
        )
    if region.sending_enabled is False:
        reasons.append(f"Sending is paused for the whole account in {where}.")
        return _rejected(
            SENDING_PAUSED,
            PAUSED_TEXT,
            reasons,
            [f"Fix the cause, then re-enable account sending in {where}."],
        )
    return None


def _quota_refusal(
    region: RegionState, recipients: Sequence[str], reasons: list[str]
) -> SendCheckResult | None:
    where = region.code
    if len(recipients) > MAX_RECIPIENTS:
        reasons.append(f"SES takes at most {MAX_RECIPIENTS} recipients per message.")
        return _rejected(
            MESSAGE_REJECTED,
            f"Recipient count exceeds {MAX_RECIPIENTS}.",
            reasons,
            [f"Split the message: at most {MAX_RECIPIENTS} recipients each."],
        )
    # Mailbox-simulator messages do not count against the daily quota.
    counted = sum(1 for r in recipients if not is_simulator(r))
    quota, sent = region.max_24_hour_send, region.sent_last_24_hours
    if counted and quota is not None and sent is not None and quota >= 0 and sent + counted > quota:
        reasons.append(
            f"{where} has sent {sent:,.0f} of its {quota:,.0f} messages in the last 24 hours."
        )
        fix = "Wait for the 24-hour window to roll over, or ask AWS for a higher quota"
        if region.in_sandbox:
            fix += f" (request production access for {where})"
        fix += "."
        actions = {fix: FixAction("production_access")} if region.in_sandbox else {}
        return _rejected(
            QUOTA_EXCEEDED, "Daily message quota exceeded.", reasons, [fix], actions=actions
        )
    return None


def _sender_reason(role: str, address: str, via: IdentityState, where: str) -> str:
    if coverage.identity_key(via.name) == coverage.identity_key(bare_address(address)):
        return f"The {role} {address} is verified in {where}."
    return f"The {role} {address} is verified in {where} through the identity {via.name}."


def _recipient_failures(
    recipients: Sequence[str],
    region: RegionState,
    identities: Mapping[str, IdentityState],
    reasons: list[str],
) -> list[str]:
    where, sandbox = region.code, region.in_sandbox
    if sandbox is None:
        reasons.append(
            f"Whether {where} is in the sandbox is unknown (never synced): assuming it is."
        )
    if sandbox is False:
        reasons.append(f"{where} has production access: recipients need not be verified.")
        return []
    if sandbox:
        reasons.append(f"{where} is in the sandbox: every recipient must be verified too.")
    failed: list[str] = []
    for rcpt in recipients:
        if is_simulator(rcpt):
            reasons.append(f"{rcpt} is SES's mailbox simulator: always allowed.")
        elif _allowed(rcpt, identities) is None:
            failed.append(rcpt)
            reasons.append(_unverified_reason("recipient", rcpt, identities, where))
        else:
            reasons.append(f"The recipient {rcpt} is verified in {where}.")
    return failed


def check_send(
    *,
    sender: str,
    recipients: Sequence[str],
    region: RegionState,
    identities: Mapping[str, IdentityState],
    return_path: str = "",
) -> SendCheckResult:
    """Apply SES's rules. Addresses are given as typed (display names, case kept).
    `identities`: identity_key -> state in this region, for every name that may cover the
    addresses (names_to_look_up); missing names are not identities there."""
    where = region.code
    reasons: list[str] = []
    if not recipients:
        raise InvalidAddress("Give at least one recipient")
    if region.stale:
        reasons.append(f"The data for {where} may be out of date; sync it to be sure.")
    refusal = _account_refusal(region, reasons) or _quota_refusal(region, recipients, reasons)
    if refusal is not None:
        return refusal

    failed: list[str] = []
    via = _allowed(sender, identities)
    # SES checks every sending address: From and the Return-Path (feedback address).
    for role, address in (("sender", sender), ("Return-Path", return_path)):
        if not address:
            continue
        allowed = _allowed(address, identities)
        if allowed is None:
            failed.append(address)
            reasons.append(_unverified_reason(role, address, identities, where))
        else:
            reasons.append(_sender_reason(role, address, allowed, where))
    failed += [
        r for r in _recipient_failures(recipients, region, identities, reasons) if r not in failed
    ]
    if failed:
        actions = _verification_fixes(
            [a for a in (sender, return_path) if a and a in failed],
            [r for r in failed if r not in (sender, return_path)],
            where,
        )
        return _rejected(
            MESSAGE_REJECTED, rejection_text(where, failed), reasons, list(actions), actions=actions
        )
    assert via is not None  # the sender passed the check above
    return _identity_refusal(via, where, reasons) or SendCheckResult(
        True, "", "", [*reasons, "SES would accept this message."]
    )


def _identity_refusal(via: IdentityState, where: str, reasons: list[str]) -> SendCheckResult | None:
    """The most specific identity's own settings: MAIL FROM behaviour, sending enabled."""
    if (
        via.mail_from_domain
        and (via.mail_from_behavior or "").upper() == "REJECT_MESSAGE"
        and (via.mail_from_status or "").upper() != "SUCCESS"
    ):
        reasons.append(
            f"The custom MAIL FROM {via.mail_from_domain} of {via.name} is not verified "
            f"({(via.mail_from_status or 'unknown').lower()}) and the behaviour on MX "
            "failure is to reject."
        )
        return _rejected(
            MAIL_FROM_NOT_VERIFIED,
            f"The MAIL FROM domain {via.mail_from_domain} is not verified.",
            reasons,
            [
                fix := (
                    f"Publish exactly one MX 10 feedback-smtp.{where}.amazonses.com (or another "
                    f"SES region's feedback endpoint) and the SPF TXT at {via.mail_from_domain}, "
                    "or set the behaviour on MX failure to use the default MAIL FROM."
                )
            ],
            actions={fix: FixAction("identity", via.name)},
        )
    if via.sending_enabled is False:
        reasons.append(f"Sending is disabled for the identity {via.name}.")
        return _rejected(
            MESSAGE_REJECTED,
            f"Sending is disabled for identity {via.name}.",
            reasons,
            [fix := f"Re-enable sending for the identity {via.name} in {where}."],
            actions={fix: FixAction("identity", via.name)},
        )
    return None


def _verification_fixes(
    senders: Sequence[str], recipients: Sequence[str], where: str
) -> dict[str, FixAction]:
    """Each fix (in order) with the action that carries it out."""
    fixes = {
        f"Verify {address} in {where} (its owner clicks the link SES mails), or verify its "
        f"domain {domain_of(address)} there by publishing the DNS records.": FixAction(
            "identity", bare_address(address)
        )
        for address in senders
    }
    if recipients:
        fixes[f"Request production access for {where} so that any recipient is allowed."] = (
            FixAction("production_access")
        )
        named = ", ".join(recipients[:3]) + (" and others" if len(recipients) > 3 else "")
        fixes[
            f"Until then, verify {named} in {where}, or test with success@{SIMULATOR_DOMAIN}."
        ] = FixAction("identity", bare_address(recipients[0]))
    return fixes


def _unverified_reason(
    role: str, address: str, identities: Mapping[str, IdentityState], where: str
) -> str:
    found = coverage.governing(bare_address(address), identities)
    if found is None:
        return (
            f"The {role} {address} is not verified in {where}: no identity there covers it "
            f"(neither the address nor {domain_of(address)} or a parent domain)."
        )
    status = (found.verification_status or "unknown").lower().replace("_", " ")
    if coverage.identity_key(found.name) == coverage.identity_key(bare_address(address)):
        return f"The {role} {address} is an identity in {where} but not verified ({status})."
    return (
        f"The {role} {address} is covered by the identity {found.name} in {where}, which is "
        f"not verified ({status}): SES applies the most specific identity."
    )


def names_to_look_up(addresses: Iterable[str]) -> set[str]:
    """Identity keys whose state the check needs: for each address, every name that may
    cover it (the address, without plus-label, its domain and parent domains)."""
    return {
        name
        for address in addresses
        if address
        for name in coverage.candidates(bare_address(address))
    }
