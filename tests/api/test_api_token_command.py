"""`manage.py api_token` prints a working token once and stores only its hash."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_it_prints_a_token_that_works(client, world, operator):
    out = StringIO()
    call_command("api_token", "--user", "operator", "--scope", "operate", stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=operator)
    assert (token.scope, token.expires_at) == ("operate", None)
    assert secret not in token.digest
    assert client.get("/api/v1/account-regions", **bearer(secret)).status_code == 200


def test_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command("api_token", "--user", "ghost")
    assert not ApiToken.objects.exists()
