"""API tokens: stored hashed, shown once, scoped, revocable, never expiring by default, and
the API's answers to a missing, wrong, revoked or under-privileged token."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_authenticate, token_create, token_revoke
from regions.models import Event
from tests.api.conftest import bearer, new_token
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_only_a_sha256_digest_of_the_token_is_stored(viewer):
    new = token_create(user=viewer, name="ci", scope="read")
    row = ApiToken.objects.get()
    assert new.secret.startswith("sesops_") and len(new.secret) >= 40
    assert row.digest == hashlib.sha256(new.secret.encode()).hexdigest()
    stored = [str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(new.secret in value for value in stored)
    assert new.secret.startswith(row.prefix) and len(row.prefix) < len(new.secret) // 2


def test_two_tokens_never_share_a_secret(viewer):
    assert new_token(viewer) != new_token(viewer)


def test_a_token_never_expires_by_default(viewer):
    new = token_create(user=viewer, name="ci", scope="read")
    assert new.token.expires_at is None
    years_later = timezone.now() + timedelta(days=3650)
    assert token_authenticate(new.secret, now=years_later) is not None


def test_an_expired_token_stops_working(viewer):
    new = token_create(
        user=viewer, name="ci", scope="read", expires_at=timezone.now() + timedelta(days=1)
    )
    assert token_authenticate(new.secret) is not None
    assert token_authenticate(new.secret, now=timezone.now() + timedelta(days=2)) is None


def test_revoked_token_is_refused_and_the_revocation_is_audited(client, world, viewer):
    new = token_create(user=viewer, name="ci", scope="read")
    assert client.get("/api/v1/identities", **bearer(new.secret)).status_code == 200
    token_revoke(user=viewer, token_id=new.token.pk)
    assert client.get("/api/v1/identities", **bearer(new.secret)).status_code == 401
    assert Event.objects.filter(subject="api_token_revoke", actor=viewer).count() == 1


def test_a_user_cannot_revoke_someone_elses_token(viewer, operator):
    new = token_create(user=viewer, name="ci", scope="read")
    assert token_revoke(user=operator, token_id=new.token.pk) is None
    assert token_authenticate(new.secret) is not None


def test_a_deactivated_users_tokens_stop_working(viewer):
    secret = new_token(viewer)
    viewer.is_active = False
    viewer.save()
    assert token_authenticate(secret) is None


def test_last_used_is_stamped_at_most_once_a_minute(client, world, viewer):
    new = token_create(user=viewer, name="ci", scope="read")
    assert new.token.last_used_at is None
    client.get("/api/v1/identities", **bearer(new.secret))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/identities", **bearer(new.secret))
    assert ApiToken.objects.get().last_used_at == first
    later = first + timedelta(seconds=61)
    token_authenticate(new.secret, now=later)
    assert ApiToken.objects.get().last_used_at == later


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer nope", "Bearer sesops_wrong", "Basic dXNlcjpwdw=="]
)
def test_no_or_a_wrong_token_is_401(client, world, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/identities", **extra)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_user_without_a_role_reads_nothing(client, world, no_role_token):
    response = client.get("/api/v1/identities", **bearer(no_role_token))
    assert response.status_code == 403
    assert "viewer role" in response.json()["detail"]


def test_the_session_works_too_and_writes_need_its_csrf_token(world, viewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.get("/api/v1/identities").status_code == 200
    response = client.post(
        "/api/v1/send-check",
        {"from": "admin@example.com", "to": ["x@y.example"], "region": "eu-west-1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_token_owner_role_is_read_at_each_call(client, world):
    user = user_with_role("demoted", "viewer")
    secret = new_token(user)
    assert client.get("/api/v1/identities", **bearer(secret)).status_code == 200
    user.groups.clear()
    assert client.get("/api/v1/identities", **bearer(secret)).status_code == 403
