"""Schemathesis generates requests from the OpenAPI document the app serves and sends them
to the app (in process, through its WSGI handler: middleware, auth, views, database), once
per role. SES, the task queue and DNS are the local fakes and zone server of the other action
tests. Every answer must be a non-5xx that the document declares, with a matching content
type and body; data that breaks the schema must be refused."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from tests.api.conftest import new_token
from tests.factories import user_with_role

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ROLES = ["viewer", "operator", "admin", "no-role", "anonymous"]
CASES: Counter[str] = Counter()


# The app's own WSGI handler, built here rather than config.wsgi's so that its middleware
# speaks plain HTTP like the test client (production settings redirect to https). The
# document is fetched from the app, as a client would; serving it touches no database.
with override_settings(SECURE_SSL_REDIRECT=False):
    APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """What Django's test client does: a finished request must not close the connection that
    holds the test's transaction (close_old_connections would, seeing autocommit off)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def headers(db) -> dict[str, dict[str, str]]:
    """Request headers per role: a token of a user holding it (read scope for the viewer and
    the user without a role, operate for the others), none for the anonymous caller."""
    out: dict[str, dict[str, str]] = {"anonymous": {}}
    for name in ROLES[:-1]:
        user = user_with_role(f"st-{name}", None if name == "no-role" else name)
        scope = ApiToken.Scope.READ if name in ("viewer", "no-role") else ApiToken.Scope.OPERATE
        out[name] = {"Authorization": f"Bearer {new_token(user, scope)}"}
    return out


@pytest.fixture(scope="module", autouse=True)
def _print_case_counts():
    yield
    if CASES:
        print("\nschemathesis cases per role:", dict(sorted(CASES.items())))


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("world", "fake_ses", "queued", "probe_settings", "no_resend_cooldown")
def test_generated_requests_get_declared_answers(case, role, headers) -> None:
    CASES[role] += 1
    case.call_and_validate(headers=headers[role], checks=CHECKS)
