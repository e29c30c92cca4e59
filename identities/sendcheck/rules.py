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

from identities.blockers import coverage
from identities.blockers.engine import IdentityState, RegionState
from identities.sendcheck.addresses import (
    InvalidAddress,
    bare_address,
    given_address,
    is_simulator,
    split_recipients,
)
from identities.sendcheck.result import (
    ACCOUNT_SUSPENDED,
    MAIL_FROM_NOT_VERIFIED,
    MESSAGE_REJECTED,
    PAUSED_TEXT,
    QUOTA_EXCEEDED,
    SENDING_PAUSED,
    SHUTDOWN_TEXT,
    FixAction,
    SendCheckResult,
    rejected,
    rejection_text,
)
from identities.sendcheck.texts import sender_reason, unverified_reason, verification_fixes

__all__ = [
    "PAUSED_TEXT",
    "FixAction",
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


def _allowed(address: str, identities: Mapping[str, IdentityState]) -> IdentityState | None:
    """The identity that lets `address` send, or None: the most specific identity covering
    it must be verified (identities/blockers/coverage.py)."""
    found = coverage.governing(bare_address(address), identities)
    return found if found is not None and found.present and found.verified else None


def _account_refusal(region: RegionState, reasons: list[str]) -> SendCheckResult | None:
    where = region.code
    if (region.enforcement_status or "").upper() == "SHUTDOWN":
        reasons.append(f"AWS shut down sending for this account in {where}.")
        return rejected(
            ACCOUNT_SUSPENDED,
            SHUTDOWN_TEXT,
            reasons,
            ["Open the AWS support case, fix the cause and ask AWS to reinstate sending."],
            own_wording=True,
        )
    if region.sending_enabled is False:
        reasons.append(f"Sending is paused for the whole account in {where}.")
        return rejected(
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
        return rejected(
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
        return rejected(
            QUOTA_EXCEEDED, "Daily message quota exceeded.", reasons, [fix], actions=actions
        )
    return None


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
            reasons.append(unverified_reason("recipient", rcpt, identities, where))
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
            reasons.append(unverified_reason(role, address, identities, where))
        else:
            reasons.append(sender_reason(role, address, allowed, where))
    failed += [
        r for r in _recipient_failures(recipients, region, identities, reasons) if r not in failed
    ]
    if failed:
        actions = verification_fixes(
            [a for a in (sender, return_path) if a and a in failed],
            [r for r in failed if r not in (sender, return_path)],
            where,
        )
        return rejected(
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
        return rejected(
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
        return rejected(
            MESSAGE_REJECTED,
            f"Sending is disabled for identity {via.name}.",
            reasons,
            [fix := f"Re-enable sending for the identity {via.name} in {where}."],
            actions={fix: FixAction("identity", via.name)},
        )
    return None


def names_to_look_up(addresses: Iterable[str]) -> set[str]:
    """Identity keys whose state the check needs: for each address, every name that may
    cover it (the address, without plus-label, its domain and parent domains)."""
    return {
        name
        for address in addresses
        if address
        for name in coverage.candidates(bare_address(address))
    }
