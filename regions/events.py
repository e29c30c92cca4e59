"""The event log: one place that writes `Event` rows (sync changes, user actions, failures).

Apps above this one follow the events without being imported here: they register a
listener (`add_listener`, from their AppConfig.ready), which is called with the events just
written, inside the writer's transaction, so what they write (alerts' outbox) commits with
the change or not at all. A post_save signal would not do: the sync writes with bulk_create.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from regions.models import AwsAccount, Event, Region

EventListener = Callable[[Sequence[Event]], None]
_listeners: list[EventListener] = []


def add_listener(listener: EventListener) -> None:
    """Call `listener(events)` after every write of events, in the writer's transaction.
    A listener must not raise for a fault of its own (it would undo the writer's change)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _announce(events: Sequence[Event]) -> None:
    for listener in list(_listeners):
        listener(events)


_BEFORE_AFTER_MAX = Event._meta.get_field("before").max_length or 255
_SUBJECT_MAX = Event._meta.get_field("subject").max_length or 64
_NAME_MAX = Event._meta.get_field("identity_name").max_length or 320


def _clip(value: object, limit: int) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_event(
    *,
    kind: str,
    actor=None,
    actor_name: str = "",
    account: AwsAccount | None = None,
    region: Region | None = None,
    identity_name: str = "",
    subject: str = "",
    before: object = "",
    after: object = "",
    result: str = "",
    message: str = "",
) -> Event:
    """An unsaved Event (for `record_events`). Values are stringified and clipped to fit."""
    if account is None and region is not None:
        account = region.account
    if not actor_name and actor is not None:
        actor_name = actor.get_username()
    return Event(
        kind=kind,
        actor=actor,
        actor_name=_clip(actor_name, 150),
        account=account,
        region=region,
        identity_name=_clip(identity_name, _NAME_MAX),
        subject=_clip(subject, _SUBJECT_MAX),
        before=_clip(before, _BEFORE_AFTER_MAX),
        after=_clip(after, _BEFORE_AFTER_MAX),
        result=result,
        message=message,
    )


def record_event(**fields) -> Event:
    """Write one event. Keyword arguments as `build_event`."""
    event = build_event(**fields)
    with transaction.atomic():
        event.save()
        _announce([event])
    return event


def record_events(events: Sequence[Event]) -> list[Event]:
    """Write many events in one INSERT (sync writes one per state change)."""
    if not events:
        return []
    with transaction.atomic():
        written = Event.objects.bulk_create(list(events), batch_size=500)
        _announce(written)
    return written
