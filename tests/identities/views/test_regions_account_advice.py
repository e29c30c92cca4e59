"""The regions page lists SES's advice about no identity in particular (a dedicated IP, the
account): per account-region with VDM enabled, in SES's words, with its type and impact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AwsAccountFactory, RegionFactory, SesRecommendationFactory

pytestmark = pytest.mark.django_db

IP_TEXT = "The dedicated IP 192.0.2.10 is listed on a blocklist: mail sent from it may be refused."
IP_ARN = "arn:aws:ses:us-east-1:111111111111:dedicated-ip-pool/marketing"


@pytest.fixture
def world():
    acc = AwsAccountFactory(label="prod", account_id="111111111111")
    use1 = RegionFactory(account=acc, code="us-east-1", vdm_enabled=True)
    euw1 = RegionFactory(account=acc, code="eu-west-1", vdm_enabled=True)
    SesRecommendationFactory(
        region=use1, identity_name="", resource_arn=IP_ARN, type="IP_LISTING", impact="LOW",
        description="A low one.",
    )  # fmt: skip
    SesRecommendationFactory(
        region=use1, identity_name="", resource_arn=IP_ARN, type="IP_LISTING", impact="HIGH",
        description=IP_TEXT,
    )  # fmt: skip
    SesRecommendationFactory(region=use1, identity_name="example.com", description="About DKIM.")
    return {"use1": use1, "euw1": euw1}


def _section(html: str) -> str:
    start = html.index('id="account-advice"')
    return html[start : html.index("</section>", start)]


def test_advice_about_no_identity_is_listed_per_account_region_high_impact_first(
    viewer_client, world
):
    html = viewer_client.get(reverse("regions")).content.decode()

    section = _section(html)
    assert 'data-region="prod/us-east-1"' in section
    assert "2 open recommendations" in section
    assert "IP_LISTING" in section and IP_ARN in section
    assert section.index(IP_TEXT) < section.index("A low one.")  # high impact first
    assert "High impact" in section and "Low impact" in section
    assert "About DKIM." not in section  # an identity's advice is on its own page
    assert "prod/eu-west-1" not in section  # nothing to say there: not listed


def test_no_section_where_vdm_is_off_or_all_advice_is_about_identities(viewer_client, world):
    type(world["use1"]).objects.filter(pk=world["use1"].pk).update(vdm_enabled=False)

    html = viewer_client.get(reverse("regions")).content.decode()

    assert 'id="account-advice"' not in html


def test_the_tables_poll_does_not_read_the_account_advice(viewer_client, world):
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("regions"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "account-advice" not in response.content.decode()
    assert not any("sesrecommendation" in q["sql"] for q in queries)
