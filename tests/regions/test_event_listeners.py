"""The seam apps above regions use to follow events: listeners run with the events just
written, inside the writer's transaction (bulk writes included)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from regions import events
from regions.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    got: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(events, "_listeners", [])
    events.add_listener(lambda evs: got.append(([e.pk for e in evs], connection.in_atomic_block)))
    return got


def test_listeners_hear_single_and_bulk_writes_inside_the_transaction(heard):
    one = events.record_event(kind="action", subject="x")
    many = events.record_events(
        [events.build_event(kind="status", subject=str(i)) for i in range(3)]
    )
    assert heard == [([one.pk], True), ([e.pk for e in many], True)]
    assert all(pk is not None for pk in heard[1][0])


def test_a_listener_that_raises_undoes_the_write(heard):
    def broken(_):
        raise RuntimeError("listener bug")

    events.add_listener(broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record_event(kind="action", subject="x")
    assert not Event.objects.exists()


def test_a_listener_is_registered_once(monkeypatch):
    monkeypatch.setattr(events, "_listeners", [])

    def listener(_):
        return None

    events.add_listener(listener)
    events.add_listener(listener)
    assert events._listeners == [listener]
