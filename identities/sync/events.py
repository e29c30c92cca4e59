"""The Events a region sync writes: status changes of identities, arrivals, a region's first
sync, and account-level changes (sandbox, sending, enforcement, review, quota)."""

from __future__ import annotations

from identities.models import RegionalIdentity
from regions.events import build_event
from regions.models import Event, Region

ACTOR = "sync"


def show(field: str, value: object) -> str:
    """A stored value as an event's before/after text."""
    if field == "present":
        return "present" if value else "gone"
    if field == "production_access_enabled":
        return {True: "production", False: "sandbox", None: ""}[value]
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _change(kind: str, region: Region, field: str, old: object, new: object, **more) -> Event:
    """The event of one stored value moving from `old` to `new`."""
    return build_event(
        kind=kind,
        actor_name=ACTOR,
        region=region,
        before=show(field, old),
        after=show(field, new),
        **more,
    )


def status_event(region: Region, name: str, field: str, old: object, new: object) -> Event:
    return _change(Event.Kind.STATUS, region, field, old, new, identity_name=name, subject=field)


def first_sync_event(region: Region, imported: int) -> Event:
    """A region's first sync: one summary instead of an event per identity imported."""
    return build_event(
        kind=Event.Kind.STATUS,
        actor_name=ACTOR,
        region=region,
        subject="first_sync",
        after=str(imported),
        message=f"First sync of the region: {imported} identities.",
    )


def arrival_events(region: Region, created: list[RegionalIdentity]) -> list[Event]:
    """One event per identity new in SES (after the region's first sync)."""
    return [
        build_event(
            kind=Event.Kind.STATUS,
            actor_name=ACTOR,
            region=region,
            identity_name=ri.identity.name,
            subject="present",
            before="",
            after=ri.verification_status or "present",
            message="New identity seen in SES.",
        )
        for ri in created
    ]


def account_event(region: Region, field: str, subject: str, old: object, new: object) -> Event:
    message = _account_message(field, old, new)
    return _change(Event.Kind.ACCOUNT, region, field, old, new, subject=subject, message=message)


def _account_message(field: str, old: object, new: object) -> str:
    if field == "production_access_enabled" and new is True:
        return "Production access granted: the region left the sandbox."
    if field == "production_access_enabled" and new is False:
        return "The region is back in the sandbox."
    if field == "review_status":
        return f"Production-access review: {new}."
    if field == "sending_enabled" and new is False:
        return "Sending is paused for the account in this region."
    if field == "enforcement_status":
        return f"Enforcement status is now {new}."
    return ""
