"""SES's own advice (VDM recommendations) on the identity page and in the grid's cells."""

from __future__ import annotations

import pytest

from identities.blockers.states import cells_for
from identities.models import RegionalIdentity
from tests.factories import (
    AwsAccountFactory,
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
    SesRecommendationFactory,
)

pytestmark = pytest.mark.django_db

DKIM_TEXT = "DKIM is not fully set up for example.com: SES cannot find all of its CNAME records."


@pytest.fixture
def world():
    acc = AwsAccountFactory(label="prod", account_id="111111111111")
    use1 = RegionFactory(account=acc, code="us-east-1", vdm_enabled=True)
    euw1 = RegionFactory(account=acc, code="eu-west-1", vdm_enabled=False)
    domain = IdentityFactory(account=acc, name="example.com")
    for region in (use1, euw1):
        RegionalIdentityFactory(identity=domain, region=region, dkim_status="SUCCESS",
                                dkim_signing_enabled=True, blocking=False)  # fmt: skip
    SesRecommendationFactory(region=use1, identity_name="example.com", description=DKIM_TEXT)
    SesRecommendationFactory(
        region=use1, identity_name="example.com", type="BIMI", impact="LOW", description="No BIMI."
    )
    return {"acc": acc, "use1": use1, "euw1": euw1, "domain": domain}


def _page(client, identity) -> str:
    response = client.get(f"/identities/{identity.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_identity_page_shows_each_open_recommendation_with_ses_text_type_impact_region(
    viewer_client, world
):
    html = _page(viewer_client, world["domain"])
    start = html.index('id="ses-advice"')
    card = html[start : html.index("</section>", start)]
    assert DKIM_TEXT in card and "No BIMI." in card
    assert "High impact" in card and "Low impact" in card
    assert card.index("High impact") < card.index("Low impact")
    assert 'id="advice-us-east-1"' in card and "2 open recommendations" in card
    assert "VDM not enabled in" in card and "eu-west-1" in card


def test_no_region_with_vdm_no_advice_card(viewer_client, world):
    type(world["use1"]).objects.filter(pk=world["use1"].pk).update(vdm_enabled=False)
    html = _page(viewer_client, world["domain"])
    assert DKIM_TEXT not in html
    assert "SES&#x27;s advice" not in html and "SES's advice" not in html


def test_a_failed_read_shows_the_error_beside_the_last_good_list(viewer_client, world):
    use1 = world["use1"]
    use1.advice_error = "ListRecommendations: access denied"
    use1.save()
    html = _page(viewer_client, world["domain"])
    assert "could not be read in us-east-1" in html and "access denied" in html
    assert DKIM_TEXT in html


def test_a_recommendation_makes_the_cell_a_warning_never_blocked(world):
    domain, use1, euw1 = world["domain"], world["use1"], world["euw1"]
    cells = cells_for([domain], [use1, euw1], lean=True)
    warned, quiet = cells[(domain.pk, use1.pk)], cells[(domain.pk, euw1.pk)]
    assert warned.status == "warning" and not warned.blocking
    assert [b.code for b in warned.blockers] == ["ses_recommendation", "ses_recommendation"]
    assert quiet.status == "sending"
    assert RegionalIdentity.objects.filter(identity=domain, blocking=True).count() == 0


def test_the_grid_cell_popover_carries_ses_text(viewer_client, world):
    domain, use1 = world["domain"], world["use1"]
    response = viewer_client.get(f"/identities/{domain.pk}/cell/{use1.pk}/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "SES recommendation" in html and DKIM_TEXT in html


def test_a_recommendation_for_another_identity_does_not_show_here(viewer_client, world):
    other = IdentityFactory(account=world["acc"], name="other.example")
    RegionalIdentityFactory(identity=other, region=world["use1"])
    assert DKIM_TEXT not in _page(viewer_client, other)


def test_the_history_says_what_ses_recommended_and_closed(viewer_client, world):
    for before, after in (("", "DKIM (high impact)"), ("BIMI (low impact)", "")):
        EventFactory(region=world["use1"], identity_name="example.com",
                     subject="ses_recommendation", before=before, after=after)  # fmt: skip
    html = _page(viewer_client, world["domain"])
    assert "SES recommends: DKIM (high impact)" in html
    assert "SES closed its recommendation: BIMI (low impact)" in html


def test_the_identity_page_reads_ses_advice_once_for_the_cells_and_the_card(viewer_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = _page(viewer_client, world["domain"])

    reads = [q["sql"] for q in queries if "regions_sesrecommendation" in q["sql"]]
    assert len(reads) == 1
    assert DKIM_TEXT in html  # the card
    assert 'id="advice-us-east-1"' in html
