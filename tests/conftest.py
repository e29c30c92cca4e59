"""Shared fixtures: users with each role, and the check that real components are present."""

from __future__ import annotations

import importlib
import os

import pytest

from identities import tasks
from identities.sync.enqueue import UNREACHABLE, SyncRequest
from tests.factories import user_with_role
from tests.fake_ses import FakeSes

# SES backends (emulator and moto) for the sync tests: fixtures `backend`, `emulator_backend`;
# a loopback DNS zone server: fixtures `zones`, `dns_server`, `config`.
pytest_plugins = ["tests.identities.ses_backends", "tests.dns_zone"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _grid_version_per_statement(request):
    """The grid's version triggers are deferred to COMMIT (migration identities 0006), which a
    test's rolled-back transaction never reaches: they fire after each statement here instead.
    The rollback also takes the counter back, so each test starts with no cached page."""
    from identities.selectors import grid_version

    grid_version.clear()
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from django.db import connection

        request.getfixturevalue("db")
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {GRID_TRIGGERS} IMMEDIATE")
    yield
    grid_version.clear()


GRID_TABLES = importlib.import_module("identities.migrations.0006_grid_version").TABLES
GRID_TRIGGERS = ", ".join(f"{table}_grid_{op}" for table in GRID_TABLES for op in ("ins", "upd"))


@pytest.fixture
def viewer(db):
    return user_with_role("viewer", "viewer")


@pytest.fixture
def operator(db):
    return user_with_role("operator", "operator")


@pytest.fixture
def admin_user(db):
    return user_with_role("admin-user", "admin")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def admin_client_role(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _plain_http_test_client(settings):
    # Production settings (DEBUG off) redirect http to https; the test client and the live
    # server speak plain http, so the redirect would hide every page behind a 301.
    settings.SECURE_SSL_REDIRECT = False
    # Pages render {% static %} without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def fake_ses(monkeypatch) -> FakeSes:
    """The one scripted fake SES (tests/fake_ses.py) behind regions.ses.client_for."""
    from regions import ses

    fake = FakeSes()
    monkeypatch.setattr(ses, "client_for", fake.client_for)
    return fake


@pytest.fixture
def no_ses(fake_ses):
    """For requests that must be refused before SES: fails the test if anything reached it
    (even a call whose error the code under test swallowed)."""
    yield fake_ses
    assert fake_ses.calls == [], (
        f"SES was called although the request was refused: {fake_ses.calls}"
    )


class FakeQueue:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.broker_up = True

    def enqueue(self, region, trigger: str) -> SyncRequest:
        self.calls.append((region.code, trigger))
        return SyncRequest(None, self.broker_up, "sync queued" if self.broker_up else UNREACHABLE)


@pytest.fixture
def queued(monkeypatch):
    queue = FakeQueue()
    monkeypatch.setattr(tasks, "enqueue_region_sync", queue.enqueue)
    return queue
