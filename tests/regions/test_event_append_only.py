"""On PostgreSQL the audit log refuses UPDATE and DELETE below the ORM (a trigger), while
deleting an account, region or user still leaves its events in place, unlinked."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from regions.models import AwsAccount, Event
from tests.factories import EventFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.fail("the audit log's trigger is PostgreSQL's: run with DATABASE_URL=postgres://")


def test_the_database_refuses_to_delete_or_rewrite_an_event():
    event = EventFactory(message="resend by ada")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(actor_name="someone else")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("UPDATE regions_event SET created_at = created_at - interval '1 day'")
    assert Event.objects.get(pk=event.pk).message == "resend by ada"


def test_deleting_an_account_region_or_user_keeps_their_events():
    region = RegionFactory()
    user = user_with_role("ada", "operator")
    event = EventFactory(account=region.account, region=region, actor=user, actor_name="ada")
    user.delete()
    AwsAccount.objects.filter(pk=region.account_id).delete()
    event.refresh_from_db()
    assert (event.account_id, event.region_id, event.actor_id) == (None, None, None)
    assert event.actor_name == "ada"
