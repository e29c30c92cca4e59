"""What a send check answers: SES's error codes and texts, the result, and the action that
carries out each fix (pure data, no ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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


def rejected(
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
