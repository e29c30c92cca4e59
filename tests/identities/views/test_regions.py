"""The regions page, hiding regions, and the production-access wizard's views and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regions.models import Event, ProductionAccessRequest, Region
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


VALID = {
    "mail_type": "TRANSACTIONAL",
    "website_url": "https://www.example.com",
    "contact_language": "EN",
    "use_case_description": "Receipts and password resets, 2,000 a day.",
    "additional_contacts": "ops@example.com",
}


@pytest.fixture
def regions():
    acct = AwsAccountFactory(label="main")
    sandbox = RegionFactory(
        account=acct,
        code="eu-west-1",
        production_access_enabled=False,
        max_24_hour_send=200.0,
        max_send_rate=1.0,
        sent_last_24_hours=12.0,
    )
    prod = RegionFactory(
        account=acct,
        code="us-east-1",
        max_24_hour_send=-1.0,
        review_status="GRANTED",
        review_case_id="1234567890",
    )
    return sandbox, prod


def test_anonymous_users_are_sent_to_login(client, regions):
    response = client.get(reverse("regions"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_shows_every_region_with_its_account_state(viewer_client, regions):
    response = viewer_client.get(reverse("regions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "eu-west-1" in html and "us-east-1" in html
    assert "Sandbox" in html and "Production" in html
    assert "12 / 200" in html  # 24h quota used / max
    assert "0 / unlimited" in html
    assert "1/s" in html
    assert "Review granted" in html and "1234567890" in html


def test_viewers_do_not_see_admin_buttons(viewer_client, regions):
    html = viewer_client.get(reverse("regions")).content.decode()
    assert "Request production access" not in html
    assert "Hide</button>" not in html


def test_admins_get_a_request_button_for_sandbox_regions_only(admin_client_role, regions):
    sandbox, prod = regions
    html = admin_client_role.get(reverse("regions")).content.decode()
    assert reverse("production_access", args=[sandbox.pk]) in html
    assert reverse("production_access", args=[prod.pk]) not in html


def test_the_button_is_disabled_while_our_data_says_a_review_is_pending(admin_client_role, regions):
    sandbox, _prod = regions
    Region.objects.filter(pk=sandbox.pk).update(review_status="PENDING", review_case_id="42")
    html = admin_client_role.get(reverse("regions")).content.decode()
    assert reverse("production_access", args=[sandbox.pk]) not in html
    assert "Review pending</button>" in html
    assert "case <code>42</code>" in html


def test_a_region_whose_sync_fails_says_so(viewer_client, regions):
    sandbox, _ = regions
    now = timezone.now()
    Region.objects.filter(pk=sandbox.pk).update(
        last_success_at=now - timedelta(hours=2),
        last_sync_error="GetAccount: access denied: the AWS credentials may not call SES here",
        last_sync_error_at=now,
    )
    html = viewer_client.get(reverse("regions")).content.decode()
    assert "Sync failing" in html
    assert "the AWS credentials may not call SES here" in html


def test_it_shows_coverage_and_the_missing_identities(viewer_client, regions):
    _sandbox, prod = regions
    ident = IdentityFactory(account=prod.account, name="news@example.com")
    RegionalIdentityFactory(identity=ident, region=prod)
    html = viewer_client.get(reverse("regions")).content.decode()
    assert "1 missing here" in html
    assert "news@example.com" in html
    assert "<strong>1</strong> usable here" in html


def test_the_page_runs_a_constant_number_of_queries(viewer_client, regions):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(reverse("regions")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        acct = AwsAccountFactory(label=f"acct-{i}")
        region = RegionFactory(account=acct, code="ap-south-1", last_sync_error="boom")
        RegionalIdentityFactory(
            identity=IdentityFactory(account=acct, name=f"a{i}@x.org"), region=region
        )
    assert count() == before


def test_admins_hide_and_unhide_a_region(admin_client_role, regions):
    sandbox, _ = regions
    url = reverse("region_visibility", args=[sandbox.pk])
    assert admin_client_role.post(url, {"hidden": "1"}).status_code == 302
    sandbox.refresh_from_db()
    assert sandbox.hidden
    html = admin_client_role.get(reverse("regions")).content.decode()
    assert 'data-region="main/eu-west-1"' not in html
    assert "Show 1 hidden region" in html
    shown = admin_client_role.get(reverse("regions") + "?hidden=1").content.decode()
    assert 'data-region="main/eu-west-1"' in shown
    admin_client_role.post(url, {"hidden": "0"})
    sandbox.refresh_from_db()
    assert not sandbox.hidden
    assert Event.objects.filter(subject__in=["hide_region", "unhide_region"]).count() == 2


@pytest.mark.parametrize("who", ["viewer_client", "operator_client"])
def test_only_admins_hide_regions(request, who, regions):
    sandbox, _ = regions
    c = request.getfixturevalue(who)
    response = c.post(reverse("region_visibility", args=[sandbox.pk]), {"hidden": "1"})
    assert response.status_code == 403
    sandbox.refresh_from_db()
    assert not sandbox.hidden


@pytest.mark.parametrize("who", ["viewer_client", "operator_client"])
def test_viewers_and_operators_cannot_submit_and_nothing_is_stored(request, who, regions, no_ses):
    sandbox, _ = regions
    c = request.getfixturevalue(who)
    url = reverse("production_access_submit", args=[sandbox.pk])
    response = c.post(url, {**VALID, "regions": [sandbox.pk]})
    assert response.status_code == 403
    assert ProductionAccessRequest.objects.count() == 0
    assert not Event.objects.exists()
    assert c.get(reverse("production_access", args=[sandbox.pk])).status_code == 403


def test_the_wizard_starts_with_the_readiness_checklist(admin_client_role, regions):
    sandbox, _ = regions
    response = admin_client_role.get(reverse("production_access", args=[sandbox.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Readiness in eu-west-1" in html
    assert "A verified domain signing with DKIM in eu-west-1" in html
    assert "How recipients asked for the mail" in html  # guidance: opt-in
    assert "?step=form" in html
    assert 'name="website_url"' not in html


def test_the_form_step_offers_the_accounts_sandbox_regions(admin_client_role, regions):
    sandbox, prod = regions
    other = RegionFactory(
        account=sandbox.account, code="ap-south-1", production_access_enabled=False
    )
    pending = RegionFactory(
        account=sandbox.account,
        code="ca-central-1",
        production_access_enabled=False,
        review_status="PENDING",
        review_case_id="777",
    )
    url = reverse("production_access", args=[sandbox.pk]) + "?step=form"
    html = admin_client_role.get(url).content.decode()
    assert f'value="{sandbox.pk}" checked' in html
    assert f'value="{other.pk}">' in html
    assert f'value="{pending.pk}" disabled' in html
    assert "review pending (case 777)" in html
    assert f'value="{prod.pk}"' not in html


def test_a_production_region_has_no_form(admin_client_role, regions):
    _sandbox, prod = regions
    html = admin_client_role.get(
        reverse("production_access", args=[prod.pk]) + "?step=form"
    ).content.decode()
    assert "already has production access" in html
    assert 'name="website_url"' not in html


def test_an_invalid_form_is_shown_again_with_errors_and_nothing_is_sent(
    admin_client_role, regions, no_ses
):
    sandbox, _ = regions
    url = reverse("production_access_submit", args=[sandbox.pk])
    data = {
        **VALID,
        "regions": [sandbox.pk],
        "additional_contacts": "a@x.io b@x.io c@x.io d@x.io e@x.io",
    }
    response = admin_client_role.post(url, data)
    assert response.status_code == 400
    assert "at most 4" in response.content.decode()
    assert ProductionAccessRequest.objects.count() == 0


def test_a_refused_form_stays_on_its_own_url_with_an_error_summary(
    admin_client_role, regions, no_ses
):
    sandbox, _ = regions
    page = reverse("production_access", args=[sandbox.pk]) + "?step=form"
    assert f'action="{page}"' in admin_client_role.get(page).content.decode()

    response = admin_client_role.post(page, {**VALID, "regions": [sandbox.pk], "website_url": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert "The request was not sent" in html
    assert '<a href="#id_website_url">' in html
    assert ProductionAccessRequest.objects.count() == 0


def test_a_valid_submission_shows_ses_answer_per_region(admin_client_role, regions, fake_ses):
    sandbox, _ = regions
    other = RegionFactory(
        account=sandbox.account, code="ap-south-1", production_access_enabled=False
    )
    url = reverse("production_access_submit", args=[sandbox.pk])
    response = admin_client_role.post(
        url, {**VALID, "regions": [sandbox.pk, other.pk]}, follow=True
    )
    assert response.status_code == 200
    assert sorted(code for code, _ in fake_ses.ops("put_account_details")) == [
        "ap-south-1",
        "eu-west-1",
    ]
    html = response.content.decode()
    assert "Production access requested in ap-south-1, eu-west-1." in html
    assert 'data-region="eu-west-1" data-outcome="submitted"' in html
    assert "case-ap-south-1" in html
    assert ProductionAccessRequest.objects.filter(outcome="submitted").count() == 2


def test_the_wizard_runs_a_constant_number_of_queries(admin_client_role, regions):
    sandbox, _ = regions
    url = reverse("production_access", args=[sandbox.pk]) + "?step=form"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client_role.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i, code in enumerate(("ap-south-1", "ca-central-1", "sa-east-1")):
        region = RegionFactory(account=sandbox.account, code=code, production_access_enabled=False)
        RegionalIdentityFactory(
            identity=IdentityFactory(account=sandbox.account, name=f"d{i}.example"),
            region=region,
            dkim_status="SUCCESS",
        )
        ProductionAccessRequest.objects.create(
            region=region, mail_type="MARKETING", website_url="https://x.example", outcome="error"
        )
    assert count() == before


def test_the_regions_table_refreshes_itself_like_the_grid(viewer_client):
    from tests.factories import RegionFactory

    RegionFactory(code="eu-west-1")
    page = viewer_client.get("/regions/").content.decode()
    assert 'id="regions-live" hx-get="/regions/" hx-trigger="every 10s"' in page
    part = viewer_client.get("/regions/", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="regions-live"')  # the table only, no page
    assert "eu-west-1" in part and "<html" not in part
