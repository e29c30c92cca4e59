"""The status grid: rendering, filters, pagination, blocked counts, query count, live refresh."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identities.blockers.flags import refresh_blocking, refresh_unknown
from identities.blockers.states import cells_for
from identities.models import Identity, RegionalIdentity
from identities.selectors import grid as selectors
from identities.selectors.grid import GridFilters, build_grid
from regions.models import Region
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)
from tests.names import unbreak_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acc = AwsAccountFactory(label="prod")
    use1 = RegionFactory(account=acc, code="us-east-1")
    euw1 = RegionFactory(account=acc, code="eu-west-1", production_access_enabled=False)
    ok = IdentityFactory(account=acc, name="ok@example.com")
    RegionalIdentityFactory(identity=ok, region=use1)
    RegionalIdentityFactory(identity=ok, region=euw1)
    pending = IdentityFactory(account=acc, name="pending@example.com")
    RegionalIdentityFactory(identity=pending, region=use1)
    RegionalIdentityFactory(
        identity=pending, region=euw1, verification_status="PENDING", verified_for_sending=False
    )
    domain = IdentityFactory(account=acc, name="example.org")
    RegionalIdentityFactory(identity=domain, region=use1, dkim_status="SUCCESS")
    return {"acc": acc, "use1": use1, "euw1": euw1, "ok": ok, "pending": pending, "domain": domain}


def _html(response) -> str:
    """The page with each name whole again (names carry break points between their parts)."""
    return unbreak_names(response.content.decode())


def live_state(html: str) -> dict[str, str]:
    form = re.search(r'<form id="live-state".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


def test_it_requires_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["viewer_client", "operator_client", "admin_client_role"])
def test_every_role_sees_identities_regions_and_badges(request, who, world):
    response = request.getfixturevalue(who).get("/")
    html = _html(response)
    assert response.status_code == 200
    assert "<html" in html
    for name in ("ok@example.com", "pending@example.com", "example.org"):
        assert name in html
    assert "us-east-1" in html and "eu-west-1" in html
    # Badges carry an icon and a word, not only a colour.
    assert "✓</span>Sending" in html
    assert "✕</span>Blocked" in html
    assert "–</span>Not in region" in html  # example.org is not in eu-west-1
    # The reasons load on expand (tests/identities/views/test_grid_cell.py): only the link here.
    assert "Waiting for someone to click the link" not in html
    pending, euw1 = world["pending"], world["euw1"]
    assert f'hx-get="/identities/{pending.pk}/cell/{euw1.pk}/"' in html
    assert f'href="/identities/{pending.pk}/#region-{euw1.pk}">' in html
    assert 'id="grid-counters"' in html


def test_htmx_request_gets_results_and_counters_out_of_band(viewer_client, world):
    response = viewer_client.get("/", {"q": "pending"}, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="grid-results"' in html
    assert re.search(r'id="grid-counters"[^>]*hx-swap-oob="true"', html)
    assert "pending@example.com" in html and "ok@example.com" not in html
    assert "HX-Request" in response["Vary"]


def test_filters_narrow_rows_and_columns(viewer_client, world):
    other = AwsAccountFactory(label="staging")
    RegionalIdentityFactory(
        identity=IdentityFactory(account=other, name="qa@staging.example"),
        region=RegionFactory(account=other, code="ap-south-1"),
    )
    html = _html(viewer_client.get("/", {"kind": "domain"}))
    assert "example.org" in html and "ok@example.com" not in html
    html = _html(viewer_client.get("/", {"account": "staging"}))
    assert "qa@staging.example" in html and "ok@example.com" not in html
    assert f'id="col-{world["use1"].pk}"' not in html
    html = _html(viewer_client.get("/", {"region": "eu-west-1"}))
    assert f'id="col-{world["euw1"].pk}"' in html
    assert f'id="col-{world["use1"].pk}"' not in html
    assert "qa@staging.example" not in html  # its account has no eu-west-1 column


def test_blocking_only_lists_blocked_identities_and_counts_them(viewer_client, world):
    response = viewer_client.get("/", {"blocking": "1"})
    html = _html(response)
    assert "pending@example.com" in html
    assert "ok@example.com" not in html
    assert "example.org" not in html  # absent from a region is not "blocked"
    counters = re.search(r'id="grid-counters".*?</div>\s*</div>\s*</div>', html, re.S).group(0)
    assert "✕ 1" in counters
    assert 'name="blocking" value="1"' in html  # the refresh keeps the filter


def test_blocked_counts_cover_only_the_identities_the_search_matches(viewer_client, world):
    def blocked(**params) -> int:
        return build_grid(GridFilters(**params)).blocked

    assert blocked() == 1
    assert blocked(q="pending") == 1
    assert blocked(q="ok@") == 0  # a name filter narrows the blocked cells too
    assert blocked(kind="domain") == 0
    html = _html(viewer_client.get("/", {"q": "ok@", "blocking": "1"}))
    assert "pending@example.com" not in html and "Nothing is blocked" in html


def test_a_pending_address_identity_under_a_verified_domain_stays_blocked(viewer_client, world):
    # pending@example.com is unverified in eu-west-1 and example.com verified there: SES
    # judges the address identity by its own status (the most specific identity).
    domain = IdentityFactory(account=world["acc"], name="example.com")
    RegionalIdentityFactory(identity=domain, region=world["euw1"])
    html = _html(viewer_client.get("/", {"blocking": "1"}))
    assert "pending@example.com" in html
    assert "Nothing is blocked" not in html


def _scenarios(acc, use1, euw1):
    """One identity per state the engine knows, blocking or not."""
    rows = {
        "verified": {},
        "pending": {"verification_status": "PENDING", "verified_for_sending": False},
        "failed": {"verification_status": "FAILED", "verified_for_sending": False},
        "temp": {"verification_status": "TEMPORARY_FAILURE", "verified_for_sending": True},
        "unknown": {"verification_status": "", "verified_for_sending": None},
        "paused": {"sending_enabled": False},
        "mailfrom-reject": {
            "mail_from_domain": "m.x.example",
            "mail_from_status": "FAILED",
            "mail_from_behavior": "REJECT_MESSAGE",
        },
        "mailfrom-default": {
            "mail_from_domain": "m.x.example",
            "mail_from_status": "FAILED",
            "mail_from_behavior": "USE_DEFAULT_VALUE",
        },
        "dkim-failed": {"dkim_status": "FAILED", "dkim_signing_enabled": True},
        "gone": {"present": False},
    }
    for label, fields in rows.items():
        for kind, name in (("addr", f"{label}@ex.example"), ("dom", f"{label}.ex.example")):
            identity = IdentityFactory(account=acc, name=name)
            ri = RegionalIdentityFactory(identity=identity, region=use1, **fields)
            RegionalIdentityFactory(identity=identity, region=euw1)
            if kind == "dom" and label == "pending":
                DnsCheckFactory(regional_identity=ri, verdict="missing")


def test_the_grids_blocked_set_agrees_with_the_engine(world):
    _scenarios(world["acc"], world["use1"], world["euw1"])
    # An account-level state that blocks every identity of a region.
    other = AwsAccountFactory(label="other")
    shut = RegionFactory(account=other, code="us-west-2", enforcement_status="SHUTDOWN")
    RegionalIdentityFactory(
        identity=IdentityFactory(account=other, name="a@o.example"), region=shut
    )
    full = RegionFactory(
        account=other, code="eu-central-1", max_24_hour_send=10, sent_last_24_hours=10
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=other, name="b@o.example"), region=full
    )

    identities = list(Identity.objects.select_related("account"))
    regions = list(Region.objects.select_related("account"))
    cells = cells_for(identities, regions)
    expected = sorted(
        i.name
        for i in identities
        if any(c.status == "blocked" for (iid, _), c in cells.items() if iid == i.pk)
    )
    grid = build_grid(GridFilters(blocking=True))
    assert sorted(r.identity.name for r in grid.rows) == expected
    assert grid.blocked == len(expected)
    assert {
        "failed@ex.example",
        "paused@ex.example",
        "mailfrom-reject@ex.example",
        "a@o.example",
        "b@o.example",
    } <= set(expected)
    assert "mailfrom-default@ex.example" not in expected


def _grow(acc, regions, n: int) -> None:
    for k in range(n):
        identity = IdentityFactory(account=acc, name=f"bulk{k:03d}.example.net")
        for j, region in enumerate(regions):
            fields = (
                {"verification_status": "PENDING", "verified_for_sending": False}
                if (k + j) % 3 == 0
                else {}
            )
            ri = RegionalIdentityFactory(identity=identity, region=region, **fields)
            DnsCheckFactory(regional_identity=ri, verdict="missing" if k % 2 else "ok")


def _queries(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/", params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"blocking": "1"}, {"q": "bulk", "kind": "domain"}])
def test_query_count_does_not_grow_with_identities(viewer_client, world, params):
    regions = [world["use1"], world["euw1"]]
    _grow(world["acc"], regions, 5)
    small = _queries(viewer_client, params)
    for k in range(5, 50):
        identity = IdentityFactory(account=world["acc"], name=f"bulk{k:03d}.example.net")
        for region in regions:
            ri = RegionalIdentityFactory(
                identity=identity,
                region=region,
                verification_status="PENDING",
                verified_for_sending=False,
            )
            DnsCheckFactory(regional_identity=ri, verdict="missing")
    large = _queries(viewer_client, params)
    assert Identity.objects.count() >= 50
    # Not one query more for ten times the rows (fewer is possible: a page of domains only
    # needs no parent-domain lookup).
    assert large <= small


def test_pagination_links_keep_filters_and_work_as_plain_links(viewer_client, world, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    html = _html(viewer_client.get("/", {"q": "example"}))
    assert "Page 1 of 2" in html
    assert html.count("<strong>1–2</strong> of 3") == 2  # above and below the grid
    assert 'href="?q=example&amp;page=2"' in html
    assert 'hx-push-url="true"' in html
    page2 = _html(viewer_client.get("/", {"q": "example", "page": "2"}))
    assert "Page 2 of 2" in page2 and "pending@example.com" in page2
    assert "<strong>3–3</strong> of 3" in page2
    # Out of range or junk: the nearest real page, never an error.
    assert "Page 2 of 2" in _html(viewer_client.get("/", {"page": "99"}))
    assert "Page 1 of 2" in _html(viewer_client.get("/", {"page": "x"}))


def test_column_header_shows_stale_region_and_sync_error(viewer_client, world):
    Region.objects.filter(pk=world["euw1"].pk).update(
        last_success_at=timezone.now() - timedelta(days=1),
        last_sync_error="ListEmailIdentities: access denied",
        last_sync_error_at=timezone.now(),
    )
    html = _html(viewer_client.get("/"))
    header = re.search(rf'id="col-{world["euw1"].pk}".*?</th>', html, re.S).group(0)
    assert "Stale" in header
    assert "Sync failed: ListEmailIdentities: access denied" in header
    assert "Sandbox" in header


def _header(html: str, region: Region) -> str:
    return re.search(rf'id="col-{region.pk}".*?</th>', html, re.S).group(0)


def test_column_header_shows_a_denied_or_pending_review(viewer_client, world):
    Region.objects.filter(pk=world["euw1"].pk).update(review_status="DENIED",
                                                      review_case_id="case-42")  # fmt: skip
    html = _html(viewer_client.get("/"))
    denied = _header(html, world["euw1"])
    assert re.search(r'<a class="badge badge-blocked" href="/regions/#region-\d+"', denied)
    assert "✕</span>Review denied</a>" in denied and "case-42" in denied
    assert "Review" not in _header(html, world["use1"])
    Region.objects.filter(pk=world["euw1"].pk).update(review_status="PENDING")
    pending = _header(_html(viewer_client.get("/")), world["euw1"])
    assert "◷</span>Review pending</a>" in pending and "Review denied" not in pending
    Region.objects.filter(pk=world["euw1"].pk).update(review_status="GRANTED")
    assert "Review" not in _header(_html(viewer_client.get("/")), world["euw1"])


def test_review_badges_cost_no_query(viewer_client, world):
    _queries(viewer_client, {})  # fills the blocked-set cache: both counts below are hits
    before = _queries(viewer_client, {})
    Region.objects.filter(pk=world["euw1"].pk).update(review_status="DENIED")
    Region.objects.filter(pk=world["use1"].pk).update(review_status="PENDING")
    assert _queries(viewer_client, {}) == before


def test_refresh_swaps_the_header_when_a_review_is_denied(viewer_client, world):
    state = live_state(_html(viewer_client.get("/")))
    Region.objects.filter(pk=world["euw1"].pk).update(
        review_status="DENIED", changed_at=timezone.now() + timedelta(seconds=1)
    )
    html = _html(_refresh(viewer_client, state))
    assert re.search(r'<template>\s*<tr id="grid-head" hx-swap-oob="true"', html)
    assert "Review denied" in html


def test_another_accounts_column_says_n_a_and_whose_identity_it_is(viewer_client, world):
    staging = AwsAccountFactory(label="staging")
    qa = IdentityFactory(account=staging, name="qa@staging.example")
    RegionalIdentityFactory(identity=qa, region=RegionFactory(account=staging, code="ap-south-1"))
    html = _html(viewer_client.get("/"))
    row = re.search(rf'<tr id="row-{qa.pk}".*?</tr>', html, re.S).group(0)
    assert row.count('<td class="cell cell-na">') == 2  # prod's us-east-1 and eu-west-1
    assert '<span title="This identity belongs to account staging">n/a' in row
    assert "·</span>" not in row  # the old lone dot


# --- live refresh -----------------------------------------------------------------------


def _refresh(client, state: dict[str, str]):
    return client.get("/grid/refresh/", state, HTTP_HX_REQUEST="true")


def test_refresh_answers_204_when_nothing_changed(viewer_client, world):
    refresh_unknown()  # as a sync leaves them: a page view computing flags is a change
    state = live_state(_html(viewer_client.get("/")))
    with CaptureQueriesContext(connection) as ctx:
        response = _refresh(viewer_client, state)
    assert response.status_code == 204
    assert response.content == b""
    assert len(ctx.captured_queries) <= 6  # session, user, groups + three small reads


def test_refresh_swaps_only_the_rows_that_changed(viewer_client, world):
    refresh_unknown()
    state = live_state(_html(viewer_client.get("/")))
    rows = RegionalIdentity.objects.filter(identity=world["pending"], region=world["euw1"])
    rows.update(
        verification_status="SUCCESS",
        verified_for_sending=True,
        changed_at=timezone.now() + timedelta(seconds=1),
    )
    refresh_blocking(rows.values_list("pk", flat=True))  # as the sync does after its writes
    response = _refresh(viewer_client, state)
    html = _html(response)
    assert response.status_code == 200
    assert re.search(rf'<template>\s*<tr id="row-{world["pending"].pk}" hx-swap-oob="true"', html)
    assert f'id="row-{world["ok"].pk}"' not in html
    assert re.search(r'id="grid-counters"[^>]*hx-swap-oob="true"', html)
    # eu-west-1's "1 blocked" went away: the header row is swapped too, not the table.
    assert re.search(r'<template>\s*<tr id="grid-head" hx-swap-oob="true"', html)
    assert 'id="grid-results"' not in html
    new_state = live_state(html)
    assert new_state["since"] != state["since"]
    # The next poll, with the new stamp, has nothing to do.
    assert _refresh(viewer_client, new_state).status_code == 204


def test_refresh_swaps_the_whole_table_when_the_rows_on_the_page_change(viewer_client, world):
    state = live_state(_html(viewer_client.get("/")))
    RegionalIdentityFactory(
        identity=IdentityFactory(account=world["acc"], name="new@example.com"),
        region=world["use1"],
        changed_at=timezone.now() + timedelta(seconds=1),
    )
    html = _html(_refresh(viewer_client, state))
    assert re.search(r'id="grid-results"[^>]*hx-swap-oob="true"', html)
    assert "new@example.com" in html


def test_refresh_notices_a_region_going_stale_without_any_write(viewer_client, world, settings):
    state = live_state(_html(viewer_client.get("/")))
    Region.objects.filter(pk=world["use1"].pk).update(
        last_success_at=timezone.now() - timedelta(days=2),
        changed_at=timezone.now() - timedelta(days=2),
    )
    html = _html(_refresh(viewer_client, state))
    assert "Stale" in html


def test_refresh_without_a_stamp_sends_everything(viewer_client, world):
    assert viewer_client.get("/grid/refresh/", {"since": "not-a-version"}).status_code == 200
    response = viewer_client.get("/grid/refresh/")
    assert response.status_code == 200
    assert "pending@example.com" in _html(response)
