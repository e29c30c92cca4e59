"""DEED families: the identity page shows a parent with its replicas, a replica is warned when
its parent is unhealthy (grid, page, report), and the grid filters those replicas."""

from __future__ import annotations

import pytest

from identities.blockers.states import blockers_for_regionals, cells_for
from identities.models import RegionalIdentity
from identities.selectors.grid import GridFilters, build_grid
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)
from tests.names import unbreak_names

pytestmark = pytest.mark.django_db


def _domain(acc, regions, name: str, *, parent_status: str):
    """`name` verified with Easy DKIM in us-east-1 (its verification `parent_status`) and a
    DEED replica of it in eu-west-1 and ap-southeast-2."""
    use1, euw1, apse2 = regions
    identity = IdentityFactory(account=acc, name=name)
    RegionalIdentityFactory(
        identity=identity,
        region=use1,
        verification_status=parent_status,
        verified_for_sending=parent_status == "SUCCESS",
        dkim_status="SUCCESS" if parent_status == "SUCCESS" else "FAILED",
        dkim_origin="AWS_SES",
        dkim_tokens=["a", "b", "c"],
    )
    for region in (euw1, apse2):
        RegionalIdentityFactory(
            identity=identity,
            region=region,
            dkim_status="SUCCESS",
            dkim_origin="AWS_SES_US_EAST_1",
            dkim_tokens=["a", "b", "c"],
        )
    return identity


@pytest.fixture
def family():
    acc = AwsAccountFactory(label="prod")
    regions = [
        RegionFactory(account=acc, code=c) for c in ("us-east-1", "eu-west-1", "ap-southeast-2")
    ]
    healthy = _domain(acc, regions, "healthy.example", parent_status="SUCCESS")
    failing = _domain(acc, regions, "failing.example", parent_status="FAILED")
    return {"acc": acc, "regions": regions, "healthy": healthy, "failing": failing}


def _codes(cell) -> list[str]:
    return [b.code for b in cell.blockers]


def test_replicas_of_a_failing_parent_get_a_warning_and_healthy_ones_do_not(family):
    use1, euw1, apse2 = family["regions"]
    cells = cells_for([family["healthy"], family["failing"]], family["regions"], lean=True)
    failing, healthy = family["failing"].pk, family["healthy"].pk
    for region in (euw1, apse2):
        assert "deed_parent_unhealthy" in _codes(cells[(failing, region.pk)])
        assert cells[(failing, region.pk)].status == "warning"
        assert "deed_parent_unhealthy" not in _codes(cells[(healthy, region.pk)])
    assert "deed_parent_unhealthy" not in _codes(cells[(failing, use1.pk)])  # the parent itself


def test_the_report_reads_the_same_warning(family):
    rows = RegionalIdentity.objects.filter(identity=family["failing"]).select_related(
        "identity", "region__account"
    )
    by_row = blockers_for_regionals(list(rows))
    replicas = [ri for ri in rows if ri.dkim_origin == "AWS_SES_US_EAST_1"]
    assert all("deed_parent_unhealthy" in [b.code for b in by_row[ri.pk]] for ri in replicas)


def test_the_identity_page_shows_the_parent_with_its_replicas(viewer_client, family):
    page = unbreak_names(viewer_client.get(f"/identities/{family['failing'].pk}/").content.decode())
    assert "DEED parent of ap-southeast-2, eu-west-1" in page
    assert page.count("DEED replica of us-east-1") == 2
    assert "signing with the keys of us-east-1" in page
    assert "is not verified (failed)" in page


def test_the_grid_filters_replicas_whose_parent_is_unhealthy(family, viewer_client):
    grid = build_grid(GridFilters.from_params({"deed_unhealthy": "1"}))
    assert [row.identity.name for row in grid.rows] == ["failing.example"]
    assert grid.filters.as_params() == {"deed_unhealthy": "1"}
    html = unbreak_names(viewer_client.get("/?deed_unhealthy=1").content.decode())
    assert 'name="deed_unhealthy" value="1" checked' in html
    assert "failing.example" in html and "healthy.example" not in html


def test_the_filter_only_looks_at_replicas_in_the_shown_regions(family):
    grid = build_grid(GridFilters.from_params({"deed_unhealthy": "1", "region": "us-east-1"}))
    assert grid.rows == []
