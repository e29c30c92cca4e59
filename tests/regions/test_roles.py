"""Roles: reading needs the viewer role, every view declares its role, a user without a role
is told whom to ask, refusals are styled pages without a traceback, and the admin role
brings the Django admin's staff status and model permissions by itself."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Group, User
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin: its own staff and permission checks
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_declares_its_role_or_is_a_public_login_page():
    undeclared = [
        route
        for route, view in _patterns(get_resolver())
        if not hasattr(view, "sesops_role") and getattr(view, "login_required", True)
    ]
    assert undeclared == []


@pytest.fixture
def pages():
    ri = RegionalIdentityFactory(identity=IdentityFactory(name="ops@example.com"))
    identity = ri.identity
    return [
        "/",
        "/grid/refresh/",
        f"/identities/{identity.pk}/",
        f"/identities/{identity.pk}/cell/{ri.region_id}/",
        "/activity/",
        "/send-check/",
        "/regions/",
        "/alerts/",
    ]


def test_a_user_without_a_role_reads_nothing_and_is_told_whom_to_ask(client, pages):
    boss = user_with_role("boss", "admin")
    boss.email = "boss@example.com"
    boss.save()
    client.force_login(user_with_role("newcomer", None))
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert "You have no access yet" in html, url
        assert "boss@example.com" in html, url
        assert "ops@example.com" not in html, url


def test_a_viewer_reads_every_page(viewer_client, pages):
    for url in pages:
        assert viewer_client.get(url).status_code in (200, 204), url


def test_a_viewer_following_an_operator_link_gets_a_styled_page_and_no_traceback(
    viewer_client, caplog
):
    identity = RegionalIdentityFactory().identity
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = viewer_client.post(f"/identities/{identity.pk}/resend-verification/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not do this" in html and "needs the <strong>operator</strong> role" in html
    assert 'class="topbar"' in html  # the site's layout, not a bare "403 Forbidden"
    assert all(record.exc_info is None for record in caplog.records)


def test_joining_the_admin_group_grants_staff_status_and_leaving_takes_it(db):
    user = user_with_role("ada", "viewer")
    assert not user.is_staff
    admin = Group.objects.get(name="admin")
    user.groups.add(admin)
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("regions.change_awsaccount") and user.has_perm("regions.add_region")
    assert not user.has_perm("regions.delete_event")
    admin.user_set.remove(user)  # from the group's side too
    user.refresh_from_db()
    assert not user.is_staff
    admin.user_set.add(user)
    admin.user_set.clear()
    assert not User.objects.get(pk=user.pk).is_staff


def test_the_admin_role_manages_accounts_and_regions_in_the_django_admin(admin_client_role):
    for url in ("/admin/", "/admin/regions/awsaccount/add/", "/admin/regions/region/"):
        assert admin_client_role.get(url).status_code == 200, url
    response = admin_client_role.post(
        "/admin/regions/awsaccount/add/", {"label": "billing", "account_id": "123456789012"}
    )
    assert response.status_code == 302


def test_the_demo_admin_can_open_the_django_admin(client, settings):
    settings.SESOPS_DEMO_LOGIN = True
    client.post("/login/demo/")
    assert User.objects.get(username="demo").is_staff
    assert client.get("/admin/regions/region/").status_code == 200


def test_the_audit_log_cannot_be_added_changed_or_deleted_in_the_admin(client):
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(root)
    event = EventFactory()
    assert client.get("/admin/regions/event/").status_code == 200
    assert client.get(f"/admin/regions/event/{event.pk}/change/").status_code == 200  # view
    assert client.get("/admin/regions/event/add/").status_code == 403
    assert client.get(f"/admin/regions/event/{event.pk}/delete/").status_code == 403
    client.post(f"/admin/regions/event/{event.pk}/change/", {"message": "forged"})
    bulk = client.post(
        "/admin/regions/event/", {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert bulk.status_code in (200, 302)
    event.refresh_from_db()
    assert event.message != "forged"


def test_review_decisions_are_shown_read_only_in_the_admin(client, admin_client_role):
    from regions.models import ReviewDecision

    region = RegionFactory(code="eu-west-1")
    decision = ReviewDecision.objects.create(
        region=region, status="DENIED", case_id="case-42", source="sync"
    )
    listing = admin_client_role.get("/admin/regions/reviewdecision/")
    assert listing.status_code == 200 and "case-42" in listing.content.decode()
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(root)
    url = f"/admin/regions/reviewdecision/{decision.pk}/"
    assert client.get(f"{url}change/").status_code == 200  # view
    assert client.get("/admin/regions/reviewdecision/add/").status_code == 403
    assert client.get(f"{url}delete/").status_code == 403
    client.post(f"{url}change/", {"status": "GRANTED", "case_id": "forged", "source": "sync"})
    client.post(
        "/admin/regions/reviewdecision/",
        {"action": "delete_selected", "_selected_action": [decision.pk]},
    )
    decision.refresh_from_db()
    assert (decision.status, decision.case_id) == ("DENIED", "case-42")


def test_deleting_a_region_in_the_admin_takes_its_review_decisions_along(client):
    from regions.models import Region, ReviewDecision

    region = RegionFactory(code="eu-west-1")
    ReviewDecision.objects.create(region=region, status="GRANTED", source="sync")
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(root)

    response = client.post(f"/admin/regions/region/{region.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Region.objects.filter(pk=region.pk).exists()
    assert not ReviewDecision.objects.exists()
