"""Account discovery: the member accounts of an AWS Organization become `AwsAccount` rows.

`accounts_discover` lists the organization from a management (or delegated administrator)
account and, for each member account not yet known by its id, adds a row that assumes
`arn:aws:iam::<id>:role/<role name>` from the same base credentials as the source account,
with one Region row per SESOPS_REGIONS code. Re-running it adds the new accounts and marks
the closed, suspended and no-longer-listed ones (`org_status`, `org_closed_at`, inactive so
the sync stops failing on them); it never deletes a row and never changes the credentials of
an account that is already there (added by hand or earlier).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from regions.events import build_event, record_events
from regions.models import AwsAccount, Event, Region
from regions.organizations import MemberAccount, organizations_for

# IAM: a role name of up to 64 of these characters, optionally after a path (`path/name`).
ROLE_NAME = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$", re.ASCII)
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
CLOSED_STATES = frozenset({"SUSPENDED", "PENDING_CLOSURE", "CLOSED"})
NOT_LISTED = "NOT_LISTED"  # was discovered before, absent from the latest listing


class DiscoveryInputError(ValueError):
    """A role name or external id IAM would refuse; nothing was called or written."""


@dataclass
class DiscoveryResult:
    added: list[str] = field(default_factory=list)  # labels
    closed: list[str] = field(default_factory=list)  # newly marked closed / not listed
    reopened: list[str] = field(default_factory=list)  # active again after being marked
    unchanged: int = 0
    calls: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.closed)} marked closed, "
            f"{len(self.reopened)} active again, {self.unchanged} unchanged ({self.calls} calls)"
        )


def role_arn_for(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role_name}"


def validate_discovery_input(*, role_name: str, external_id: str = "") -> None:
    if not ROLE_NAME.match(role_name):
        raise DiscoveryInputError(
            f"not an IAM role name: {role_name!r} (up to 64 letters, digits and +=,.@_-)"
        )
    if external_id and not EXTERNAL_ID.match(external_id):
        raise DiscoveryInputError(
            "not an external id: 2 to 1224 letters, digits and +=,.@:/_- characters"
        )


def accounts_discover(
    *, source: AwsAccount, role_name: str, external_id: str = "", actor=None, client=None
) -> DiscoveryResult:
    """List `source`'s organization and add / mark accounts (see the module docstring).
    Raises DiscoveryInputError before any call, OrganizationsError when AWS refuses."""
    validate_discovery_input(role_name=role_name, external_id=external_id)
    client = client or organizations_for(source)
    members = client.list_accounts()  # no transaction is open across the network call
    result = DiscoveryResult(calls=client.calls)
    with transaction.atomic():
        known = {a.account_id: a for a in AwsAccount.objects.select_for_update() if a.account_id}
        events: list[Event] = []
        for member in members:
            row = known.get(member.id)
            if row is None:
                row = _add(source, member, role_name=role_name, external_id=external_id)
                result.added.append(row.label)
                events.append(_event(row, actor, "discovered", "", member.state))
            else:
                _mark(row, member.state, result, events, actor)
        listed = {m.id for m in members}
        for row in source.discovered_accounts.exclude(account_id__in=listed):
            _mark(row, NOT_LISTED, result, events, actor)
        record_events(events)
    return result


def _add(source: AwsAccount, member: MemberAccount, *, role_name: str, external_id: str):
    closed = member.state in CLOSED_STATES
    row = AwsAccount.objects.create(
        label=_free_label(member),
        account_id=member.id,
        profile_name=source.profile_name,  # the base credentials that assume the member role
        role_arn=role_arn_for(member.id, role_name),
        external_id=external_id,
        is_active=not closed,
        org_status=member.state,
        org_closed_at=timezone.now() if closed else None,
        discovered_from=source,
    )
    Region.objects.bulk_create([Region(account=row, code=code) for code in settings.SESOPS_REGIONS])
    return row


def _mark(row: AwsAccount, state: str, result: DiscoveryResult, events: list, actor) -> None:
    was_closed = row.org_closed_at is not None
    closed = state in CLOSED_STATES or state == NOT_LISTED
    if state == row.org_status and closed == was_closed:
        result.unchanged += 1
        return
    before = row.org_status
    row.org_status = state
    if closed and not was_closed:
        row.org_closed_at, row.is_active = timezone.now(), False
        result.closed.append(row.label)
    elif was_closed and not closed:
        # Only an account that discovery deactivated is reactivated (org_closed_at was set).
        row.org_closed_at, row.is_active = None, True
        result.reopened.append(row.label)
    else:
        result.unchanged += 1
    row.save(update_fields=["org_status", "org_closed_at", "is_active"])
    events.append(_event(row, actor, "org_status", before, state))


def _event(row: AwsAccount, actor, subject: str, before: str, after: str) -> Event:
    return build_event(
        kind=Event.Kind.ACCOUNT,
        actor=actor,
        actor_name="" if actor else "discovery",
        account=row,
        subject=subject,
        before=before,
        after=after,
        result=Event.Result.OK,
        message=f"AWS Organizations reports account {row.account_id} as {after}",
    )


def _free_label(member: MemberAccount) -> str:
    """`<name>-<id>`: unique because the id is, within the label's 64 characters."""
    base = slugify(member.name)[: 64 - 13] or "account"
    label = f"{base}-{member.id}"
    n = 2
    while AwsAccount.objects.filter(label=label).exists():  # a hand-made row took it
        label = f"{base[: 64 - 13 - 4]}-{member.id}-{n}"
        n += 1
    return label
