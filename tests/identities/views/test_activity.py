"""/activity/: the event feed, its filters (in the URL), pagination, htmx and plain renders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regions.models import Event
from tests.factories import AwsAccountFactory, EventFactory, IdentityFactory, RegionFactory

pytestmark = pytest.mark.django_db
URL = "/activity/"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The role fixtures create users; the default hasher costs seconds per test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def events(operator):
    main = AwsAccountFactory(label="main")
    other = AwsAccountFactory(label="other")
    east = RegionFactory(account=main, code="us-east-1")
    west = RegionFactory(account=other, code="eu-west-1")
    now = timezone.now()
    made = {
        "status": EventFactory(
            kind=Event.Kind.STATUS, account=main, region=east,
            identity_name="admin@mydomain.example",
            subject="verification_status", before="PENDING", after="SUCCESS",
            created_at=now - timedelta(minutes=3),
        ),
        "action": EventFactory(
            kind=Event.Kind.ACTION, actor=operator, actor_name="operator", account=main,
            region=east,
            identity_name="billing@mydomain.example", subject="resend_verification", result="ok",
            created_at=now - timedelta(minutes=2),
        ),
        "error": EventFactory(
            kind=Event.Kind.SYNC_ERROR, region=west, message="AccessDenied: not authorized",
            result="error", created_at=now - timedelta(minutes=1),
        ),
    }  # fmt: skip
    return made


def ids(response) -> list[int]:
    return [e.pk for e in response.context["page"].object_list]


def test_url_name() -> None:
    assert reverse("activity") == URL


def test_it_requires_login(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "client_fixture", ["viewer_client", "operator_client", "admin_client_role"]
)
def test_every_role_sees_the_feed_newest_first(request, events, client_fixture: str) -> None:
    response = request.getfixturevalue(client_fixture).get(URL)
    assert response.status_code == 200
    assert ids(response) == [events["error"].pk, events["action"].pk, events["status"].pk]
    html = response.content.decode()
    assert "<html" in html
    assert "PENDING → SUCCESS" in html
    assert "AccessDenied: not authorized" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "action"}, ["action"]),
        ({"kind": "sync_error"}, ["error"]),
        ({"kind": "bogus"}, ["error", "action", "status"]),  # unknown kind: ignored
        ({"account": "main"}, ["action", "status"]),
        ({"account": "other"}, ["error"]),  # through the event's region
        ({"region": "eu-west-1"}, ["error"]),
        ({"identity": "BILLING@"}, ["action"]),
        ({"identity": "mydomain.example"}, ["action", "status"]),
        ({"actor": "oper"}, ["action"]),
        ({"kind": "status", "region": "us-east-1", "identity": "admin"}, ["status"]),
        ({"kind": "status", "region": "eu-west-1"}, []),
        ({"result": "error"}, ["error"]),
        ({"result": "ok"}, ["action"]),
        ({"result": "maybe"}, ["error", "action", "status"]),  # unknown result: ignored
    ],
)
def test_filters(viewer_client, events, params: dict[str, str], expected: list[str]) -> None:
    response = viewer_client.get(URL, params)
    assert ids(response) == [events[name].pk for name in expected]


def test_actor_filter_matches_the_user_name(viewer_client, events, operator) -> None:
    nameless = EventFactory(kind=Event.Kind.ACTION, actor=operator, actor_name="")
    assert set(ids(viewer_client.get(URL, {"actor": "operator"}))) == {
        events["action"].pk,
        nameless.pk,
    }


def test_filters_are_kept_in_the_form_and_page_links(viewer_client, events) -> None:
    for i in range(60):
        EventFactory(kind=Event.Kind.STATUS, identity_name=f"bulk{i}@x.example")
    response = viewer_client.get(URL, {"kind": "status"})
    html = response.content.decode()
    assert '<option value="status" selected>' in html
    assert "kind=status&amp;page=2" in html
    assert response.context["page"].paginator.count == 61
    second = viewer_client.get(URL, {"kind": "status", "page": "2"})
    assert len(ids(second)) == 11
    assert "Page 2 of 2" in second.content.decode()


def test_out_of_range_page_shows_the_last_page(viewer_client, events) -> None:
    for i in range(50):
        EventFactory(kind=Event.Kind.STATUS, identity_name=f"bulk{i}@x.example")
    response = viewer_client.get(URL, {"page": "99"})
    assert response.context["page"].number == 2


def test_htmx_request_returns_only_the_results(viewer_client, events) -> None:
    response = viewer_client.get(URL, {"kind": "action"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<section class="card flush" id="activity-results"')
    assert "resend_verification" in html
    assert "verification_status" not in html
    assert "HX-Request" in response["Vary"]


def test_boosted_htmx_request_gets_the_full_page(viewer_client, events) -> None:
    response = viewer_client.get(URL, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.content.decode()


def test_empty_feed_and_empty_filter_results(viewer_client, events) -> None:
    html = viewer_client.get(URL, {"identity": "nothing-like-this"}).content.decode()
    assert "No event matches these filters" in html


def test_an_empty_log_says_nothing_has_happened_yet(viewer_client) -> None:
    # (The log is append-only: an empty one is a fresh one, not one emptied by a test.)
    assert "Nothing has happened yet" in viewer_client.get(URL).content.decode()


def test_query_count_does_not_grow_with_events(viewer_client, events) -> None:
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(URL)
    main = AwsAccountFactory(label="main")
    region = RegionFactory(account=main, code="us-east-1")
    for i in range(30):
        EventFactory(
            kind=Event.Kind.ACTION, account=main, region=region, identity_name=f"n{i}@x.example"
        )
    with CaptureQueriesContext(connection) as many:
        viewer_client.get(URL)
    assert len(many) == len(few)


def test_post_is_not_allowed(operator_client) -> None:
    assert operator_client.post(URL).status_code == 405


def test_events_link_to_their_identity_page_when_it_exists(viewer_client, events) -> None:
    main = AwsAccountFactory(label="main")
    identity = IdentityFactory(account=main, name="admin@mydomain.example")
    IdentityFactory(account=AwsAccountFactory(label="other"), name="billing@mydomain.example")
    html = viewer_client.get(URL).content.decode()
    assert f'href="/identities/{identity.pk}/"' in html
    # billing@ exists only in another account: no link to the wrong identity, a grid search.
    assert 'href="/?q=billing%40mydomain.example"' in html
