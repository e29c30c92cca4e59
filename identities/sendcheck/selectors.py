"""The send check against what sync last read from SES: reads the DB, sends nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models.functions import Lower

from identities.blockers.coverage import identity_key
from identities.blockers.engine import IdentityState
from identities.blockers.states import identity_state, region_state
from identities.models import RegionalIdentity
from identities.sendcheck.rules import (
    InvalidAddress,
    SendCheckResult,
    check_send,
    given_address,
    names_to_look_up,
    split_recipients,
)
from regions.models import AwsAccount, Region

__all__ = [
    "InvalidAddress",
    "SendCheckResult",
    "UnknownAccount",
    "UnknownRegion",
    "resolve_account",
    "send_check",
]


class UnknownRegion(LookupError):
    """str() is the message to show."""


class UnknownAccount(LookupError):
    """str() is the message to show."""


def resolve_account(label: str | None) -> AwsAccount:
    """The account with this label; with no label, the only active account."""
    if label:
        try:
            return AwsAccount.objects.get(label=label)
        except AwsAccount.DoesNotExist:
            known = ", ".join(AwsAccount.objects.values_list("label", flat=True)) or "none"
            raise UnknownAccount(f"Unknown account '{label}' (known: {known})") from None
    active = list(AwsAccount.objects.filter(is_active=True)[:2])
    if len(active) == 1:
        return active[0]
    if not active:
        raise UnknownAccount("No AWS account is configured yet: run sync_ses first")
    labels = ", ".join(AwsAccount.objects.filter(is_active=True).values_list("label", flat=True))
    raise UnknownAccount(f"Several accounts exist: choose one with --account ({labels})")


def _region(account: AwsAccount, code: str) -> Region:
    try:
        return Region.objects.select_related("account").get(account=account, code=code.strip())
    except Region.DoesNotExist:
        known = ", ".join(account.regions.values_list("code", flat=True)) or "none"
        raise UnknownRegion(
            f"Unknown region '{code}' for account {account.label} (known: {known})"
        ) from None


def send_check(
    account: AwsAccount,
    region_code: str,
    sender: str,
    recipients: Sequence[str] | str,
    *,
    return_path: str = "",
) -> SendCheckResult:
    """Would SES accept `sender` -> `recipients` (and this Return-Path) from this
    account-region right now? Addresses are kept as typed.

    Raises InvalidAddress (bad from/to/return path) or UnknownRegion. Three queries.
    """
    sender = given_address(sender)
    return_path = given_address(return_path) if (return_path or "").strip() else ""
    rcpts = split_recipients(recipients)
    if not rcpts:
        raise InvalidAddress("Give at least one recipient")
    region = _region(account, region_code)
    keys = names_to_look_up([sender, return_path, *rcpts])
    rows = (
        RegionalIdentity.objects.filter(region=region, present=True)
        .select_related("identity")
        .annotate(lname=Lower("identity__name"))
        .filter(lname__in={k.lower() for k in keys})
    )
    # Matched case-insensitively in SQL, then kept only where SES's comparison (domains
    # case-insensitive, local parts exact) finds them.
    states: dict[str, IdentityState] = {
        key: identity_state(ri, domain_verified=False)
        for ri in rows
        if (key := identity_key(ri.identity.name)) in keys
    }
    return check_send(
        sender=sender,
        recipients=rcpts,
        region=region_state(region),
        identities=states,
        return_path=return_path,
    )
