"""/account/tokens/: a user creates a token (shown once), sees their own, revokes one."""

from __future__ import annotations

import re

import pytest

from api.models import ApiToken
from api.tokens import token_create

pytestmark = pytest.mark.django_db


def test_page_lists_only_my_tokens(viewer_client, viewer, operator):
    token_create(user=viewer, name="mine", scope="read")
    token_create(user=operator, name="theirs", scope="operate")
    html = viewer_client.get("/account/tokens/").content.decode()
    assert "mine" in html
    assert "theirs" not in html


def test_creating_shows_the_secret_once_and_stores_its_hash(viewer_client, viewer):
    response = viewer_client.post("/account/tokens/", {"name": "deploy", "scope": "operate"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    [secret] = re.findall(r'value="(sesops_[^"]+)"', response.content.decode())
    token = ApiToken.objects.get(user=viewer)
    assert (token.name, token.scope, token.expires_at) == ("deploy", "operate", None)
    assert secret not in viewer_client.get("/account/tokens/").content.decode()


def test_an_expiry_in_days_is_optional(viewer_client, viewer):
    viewer_client.post("/account/tokens/", {"name": "ci", "scope": "read", "expires_in_days": 7})
    token = ApiToken.objects.get(user=viewer)
    assert 6 <= (token.expires_at - token.created_at).days <= 7


def test_bad_input_is_a_400_with_the_form_errors_and_creates_nothing(viewer_client):
    response = viewer_client.post(
        "/account/tokens/", {"name": "", "scope": "root", "expires_in_days": "x"}
    )
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0
    assert response.content.decode().count('class="errorlist"') == 3


def test_revoking_from_the_page(viewer_client, viewer):
    new = token_create(user=viewer, name="old", scope="read")
    response = viewer_client.post(f"/account/tokens/{new.token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None


def test_cannot_revoke_another_users_token(viewer_client, operator):
    new = token_create(user=operator, name="theirs", scope="read")
    response = viewer_client.post(f"/account/tokens/{new.token.pk}/revoke/", follow=True)
    assert "No such token" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is None


def test_the_page_needs_a_login(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
