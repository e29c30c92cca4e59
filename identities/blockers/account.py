"""The account-region's own blockers: what stops or threatens every identity of the account
in one region (shutdown, paused sending, probation, the sandbox, the daily quota) and data
that may be out of date. The identity's own rules are in rules.py."""

from __future__ import annotations

from identities.blockers.types import (
    BLOCKING,
    REQUEST_PRODUCTION_ACCESS,
    SANDBOX_DAILY,
    SYNC_NOW,
    WARNING,
    Blocker,
    RegionState,
)


def account(region: RegionState) -> list[Blocker]:
    return [*_standing(region), *_sandbox(region), *_quota(region)]


def _standing(region: RegionState) -> list[Blocker]:
    """AWS's enforcement and the account's sending switch."""
    out: list[Blocker] = []
    enforcement = (region.enforcement_status or "").upper()
    if enforcement == "SHUTDOWN":
        out.append(
            Blocker(
                "account_shutdown",
                BLOCKING,
                f"AWS stopped this account's sending in {region.code} "
                "(too many bounces or complaints).",
                "Open the AWS support case, fix the cause and ask for reinstatement.",
                None,
            )
        )
    elif region.sending_enabled is False:
        out.append(
            Blocker(
                "sending_paused",
                BLOCKING,
                f"Turned off for the whole account in {region.code}: no identity sends there.",
                "Re-enable account sending (UpdateAccountSendingEnabled) once the cause is fixed.",
                None,
            )
        )
    if enforcement == "PROBATION":
        out.append(
            Blocker(
                "account_probation",
                WARNING,
                f"Sending still works in {region.code}, but AWS may pause it.",
                "Bring bounce and complaint rates down before the review ends.",
                None,
            )
        )
    return out


def _sandbox(region: RegionState) -> list[Blocker]:
    # A warning, not blocking: in the sandbox the identity still sends to verified
    # recipients and the mailbox simulator. Whether one particular send passes is the send
    # check's job (identities/sendcheck/rules.py), which does reject unverified recipients.
    if not region.in_sandbox:
        return []
    return [
        Blocker(
            "sandbox",
            WARNING,
            f"Only verified recipients, at most {SANDBOX_DAILY} messages a day.",
            f"Request production access for {region.code}; until then verify every recipient.",
            REQUEST_PRODUCTION_ACCESS,
        )
    ]


def _quota(region: RegionState) -> list[Blocker]:
    quota, sent = region.max_24_hour_send, region.sent_last_24_hours
    if quota is None or quota == -1 or sent is None or sent < quota:
        return []
    return [
        Blocker(
            "quota_exhausted",
            BLOCKING,
            f"{sent:,.0f} of {quota:,.0f} messages sent in {region.code} in the last 24 hours.",
            "Wait for the 24-hour window to roll over, or ask AWS for a higher quota.",
            REQUEST_PRODUCTION_ACCESS if region.in_sandbox else None,
        )
    ]


def stale(region: RegionState) -> list[Blocker]:
    if not region.stale:
        return []
    if region.last_error:
        why = f"The last sync of {region.code} failed: {region.last_error.splitlines()[0][:200]}"
    elif region.last_success_at is None:
        why = f"{region.code} has never been synced successfully"
    else:
        when = region.last_success_at.strftime("%Y-%m-%d %H:%M UTC")
        why = f"{region.code} was last synced at {when}"
    return [
        Blocker(
            "stale",
            WARNING,
            f"{why}.",
            "Sync now; if it keeps failing, check the account's credentials and SES access.",
            SYNC_NOW,
        )
    ]
