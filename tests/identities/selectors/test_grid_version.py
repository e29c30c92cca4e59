"""The grid's version moves with every write to what the grid shows, whoever writes it, so a
cached page is never shown after a change; and only then (a lease renewal or a write that
changes nothing keeps the cached page)."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from identities.blockers.flags import refresh_blocking, refresh_unknown
from identities.models import DnsCheck, Identity, RegionalIdentity
from identities.selectors import grid_version
from identities.sync import lease
from identities.sync import run as sync
from regions.models import AwsAccount, Region
from regions.ses_types import IdentitySummary
from tests.factories import (
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    SesRecommendationFactory,
)
from tests.identities.views.test_grid import live_state
from tests.names import unbreak_names


@pytest.fixture
def grid_world(world):
    """tests/identities/conftest.py's world (ops@example.net blocked in eu-west-1 only), its
    domain with a DNS check, and every blocking flag computed, as a sync leaves them."""
    ri = RegionalIdentity.objects.get(identity=world["domain"], region=world["use1"])
    DnsCheckFactory(regional_identity=ri)
    refresh_unknown()
    return {**world, "ops": world["address"]}


def _page(client) -> str:
    return unbreak_names(client.get("/").content.decode())


def _cell(html: str, identity: Identity) -> str:
    return re.search(rf'<tr id="row-{identity.pk}".*?</tr>', html, re.S).group(0)


def _blocked_in(html: str, identity: Identity, region: Region) -> bool:
    return bool(
        re.search(rf'cell-blocked"><details hx-get="[^"]*cell/{region.pk}/"', _cell(html, identity))
    )


def _rename(w):
    Identity.objects.filter(pk=w["ops"].pk).update(name="renamed@example.com")
    return lambda html: "renamed@example.com" in html and "ops@example.net" not in html


def _relabel_account(w):
    AwsAccount.objects.filter(pk=w["acc"].pk).update(label="production")
    return lambda html: '<option value="production"' in html


def _deactivate_account(w):
    AwsAccount.objects.filter(pk=w["acc"].pk).update(is_active=False)
    return lambda html: "No account-regions to show" in html


def _hide_region(w):
    Region.objects.filter(pk=w["euw1"].pk).update(hidden=True)
    return lambda html: f'id="col-{w["euw1"].pk}"' not in html


def _deny_review(w):
    Region.objects.filter(pk=w["euw1"].pk).update(review_status="DENIED")
    return lambda html: "Review denied" in html


def _fail_verification(w):
    rows = RegionalIdentity.objects.filter(identity=w["ops"], region=w["use1"])
    rows.update(verification_status="FAILED", verified_for_sending=False)
    refresh_blocking(rows.values_list("pk", flat=True))
    return lambda html: _blocked_in(html, w["ops"], w["use1"])


def _delete_regional(w):
    RegionalIdentity.objects.filter(identity=w["ops"], region=w["use1"]).delete()
    return lambda html: _cell(html, w["ops"]).count("Not in region") == 2  # and ap-southeast-2


def _delete_identity(w):
    Identity.objects.filter(pk=w["ops"].pk).delete()
    return lambda html: f'id="row-{w["ops"].pk}"' not in html


def _ses_advice(w):
    Region.objects.filter(pk=w["use1"].pk).update(vdm_enabled=True)
    SesRecommendationFactory(region=w["use1"], identity_name="ops@example.net", impact="HIGH")
    return lambda html: "cell-warning" in _cell(html, w["ops"])


def _add_identity(w):
    new = IdentityFactory(account=w["acc"], name="new@example.com")
    RegionalIdentityFactory(identity=new, region=w["use1"], blocking=False)
    return lambda html: "new@example.com" in html


WRITES = [
    _rename,
    _relabel_account,
    _deactivate_account,
    _hide_region,
    _deny_review,
    _fail_verification,
    _delete_regional,
    _delete_identity,
    _add_identity,
    _ses_advice,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_a_write_that_moves_no_timestamp_still_changes_the_cached_page(
    viewer_client, grid_world, write
):
    _page(viewer_client)  # cached
    before = grid_version.current()
    shows = write(grid_world)  # none of these touches changed_at
    assert grid_version.current() != before
    assert shows(_page(viewer_client))


def test_an_unchanged_grid_is_served_from_the_cache(viewer_client, grid_world, monkeypatch):
    first = _page(viewer_client)
    from identities.views import grid as grid_view

    monkeypatch.setattr(grid_view, "build_grid", lambda *a, **k: pytest.fail("rebuilt"))
    again = _page(viewer_client)
    assert _cell(again, grid_world["ops"]) == _cell(first, grid_world["ops"])


def test_a_dns_check_changes_the_version(grid_world):
    before = grid_version.current()
    DnsCheck.objects.update(verdict=DnsCheck.Verdict.MISSING)
    assert grid_version.current() != before


def test_a_sync_that_changes_a_status_changes_the_page(viewer_client, grid_world, fake_ses):
    fake_ses.account = None
    fake_ses.identities = [
        IdentitySummary("ops@example.net", "EMAIL_ADDRESS", False, "FAILED"),
        IdentitySummary("example.com", "DOMAIN", True, "SUCCESS"),
    ]
    ops, use1 = grid_world["ops"], grid_world["use1"]
    assert not _blocked_in(_page(viewer_client), ops, use1)
    sync.sync_region(use1, trigger="test")
    assert _blocked_in(_page(viewer_client), ops, use1)


def test_hiding_a_region_from_its_page_changes_the_grid(admin_client_role, grid_world):
    euw1 = grid_world["euw1"]
    assert f'id="col-{euw1.pk}"' in _page(admin_client_role)
    admin_client_role.post(f"/regions/{euw1.pk}/visibility/", {"hidden": "1"})
    assert f'id="col-{euw1.pk}"' not in _page(admin_client_role)


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's triggers bump on every row (it has one writer at a time)")


def test_a_lease_or_a_write_that_changes_nothing_keeps_the_version(grid_world):
    _postgresql_only()
    before = grid_version.current()
    held = lease.claim(grid_world["use1"])
    assert held is not None
    lease.renew(held)
    lease.release(held)
    RegionalIdentity.objects.filter(identity=grid_world["ops"], region=grid_world["use1"]).update(
        verification_status="SUCCESS"  # what it already is
    )
    assert grid_version.current() == before


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_once_at_commit_and_not_before():
    _postgresql_only()
    region = RegionFactory()
    before = grid_version.current()
    with transaction.atomic():
        Region.objects.filter(pk=region.pk).update(review_status="PENDING")
        Region.objects.filter(pk=region.pk).update(enforcement_status="PROBATION")
        RegionFactory(account=region.account)
        with connection.cursor() as cursor:  # the deferred bump has not run yet
            cursor.execute("SELECT n FROM identities_gridversion WHERE id = 1")
            assert cursor.fetchone()[0] == before[0]
    after = grid_version.current()
    assert after[0] == before[0] + 1


def test_every_table_the_grid_reads_moves_the_version(viewer_client, grid_world):
    """A table the grid comes to read must join the triggers' TABLES (migration 0006)."""
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import GRID_TABLES

    Region.objects.update(vdm_enabled=True)  # so that SES's advice is read too
    grid_version.clear()
    with CaptureQueriesContext(connection) as ctx:
        viewer_client.get("/?blocking=1&deed_unhealthy=1&q=e")
        viewer_client.get("/")
    read = {t for q in ctx.captured_queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    outside = {"django_session", "auth_user", "auth_group", "auth_user_groups"}
    assert read - outside - {"identities_gridversion"} <= set(GRID_TABLES)
    assert "regions_sesrecommendation" in read


def test_a_page_stored_under_a_new_version_drops_the_older_versions_pages():
    built = []

    def build(name):
        return lambda: built.append(name) or name

    grid_version.cached(((1, "x"), "page 1"), build("v1 page 1"))
    grid_version.cached(((1, "x"), "page 2"), build("v1 page 2"))
    grid_version.cached(((2, "x"), "page 1"), build("v2 page 1"))
    assert grid_version.cached(((2, "x"), "page 1"), build("again")) == "v2 page 1"
    grid_version.cached(((1, "x"), "page 2"), build("v1 page 2 rebuilt"))
    assert built == ["v1 page 1", "v1 page 2", "v2 page 1", "v1 page 2 rebuilt"]


def test_a_sync_or_a_probe_that_changes_nothing_keeps_the_version(grid_world, fake_ses):
    """Bookkeeping columns (the sync's timestamps, synced_at, a check's checked_at) move on
    every sync and probe: with many regions they would move the version every few seconds."""
    _postgresql_only()
    fake_ses.account = None
    fake_ses.identities = [
        IdentitySummary("ops@example.net", "EMAIL_ADDRESS", True, "SUCCESS"),
        IdentitySummary("example.com", "DOMAIN", True, "SUCCESS"),
    ]
    sync.sync_region(grid_world["use1"], trigger="test")
    before = grid_version.current()
    sync.sync_region(grid_world["use1"], trigger="test")
    DnsCheck.objects.update(checked_at=timezone.now(), answers={"ns1": ["x"]})
    assert grid_version.current() == before


def test_a_new_sent_count_changes_the_page_only_where_the_quota_is_used_up(
    viewer_client, grid_world
):
    _postgresql_only()
    use1 = grid_world["use1"]
    Region.objects.filter(pk=use1.pk).update(max_24_hour_send=100, sent_last_24_hours=10)
    _page(viewer_client)
    before = grid_version.current()
    Region.objects.filter(pk=use1.pk).update(sent_last_24_hours=20)  # every sync: no change
    assert grid_version.current() == before
    Region.objects.filter(pk=use1.pk).update(sent_last_24_hours=100)
    assert grid_version.current() == before
    html = _page(viewer_client)
    assert _blocked_in(html, grid_world["ops"], use1)  # the quota's blocker shows
    state = live_state(html)
    Region.objects.filter(pk=use1.pk).update(sent_last_24_hours=120)  # its text quotes it
    refresh = viewer_client.get("/grid/refresh/", state, HTTP_HX_REQUEST="true")
    assert refresh.status_code == 200
    assert live_state(_page(viewer_client))["stale"] != state["stale"]


@pytest.mark.django_db(transaction=True)
def test_the_syncsseen_stamp_skips_the_comparison_for_its_own_update_only():
    """The sync's UPDATE of synced_at says it writes nothing else (migration 0009): the
    trigger believes it, and stops believing right after, in the same transaction."""
    _postgresql_only()
    from identities.sync.rows import seen_stamp

    ri = RegionalIdentityFactory()
    before = grid_version.current()
    with transaction.atomic(), seen_stamp():
        RegionalIdentity.objects.filter(pk=ri.pk).update(synced_at=timezone.now())
    assert grid_version.current() == before

    # What the flag means: this statement's changes are not news.
    with transaction.atomic(), seen_stamp():
        RegionalIdentity.objects.filter(pk=ri.pk).update(verification_status="FAILED")
    assert grid_version.current() == before

    with transaction.atomic():
        with seen_stamp():
            RegionalIdentity.objects.filter(pk=ri.pk).update(synced_at=timezone.now())
        RegionalIdentity.objects.filter(pk=ri.pk).update(verification_status="SUCCESS")
    assert grid_version.current()[0] == before[0] + 1
