"""/send-check/: every role may use it, htmx and plain POSTs, form errors, login required."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db
URL = "/send-check/"
REJECTED = (
    "MessageRejected: Email address is not verified. The following identities failed the "
    "check in region US-EAST-1: someone@example.com"
)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The role fixtures create users; the default hasher costs seconds per test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    account = AwsAccountFactory(label="main")
    sandbox = RegionFactory(account=account, code="us-east-1", production_access_enabled=False)
    prod = RegionFactory(account=account, code="eu-west-1", production_access_enabled=True)
    admin = IdentityFactory(account=account, name="admin@mydomain.example")
    for region in (sandbox, prod):
        RegionalIdentityFactory(identity=admin, region=region)
    return account


def post(client, region: str = "us-east-1", htmx: bool = False, **overrides: str):
    data = {
        "sender": "admin@mydomain.example",
        "recipients": "someone@example.com",
        "account": "main",
        "region": region,
        **overrides,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(URL, data, headers=headers)


def test_url_name() -> None:
    assert reverse("send_check") == URL


def test_it_requires_login(client, world) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert post(client).status_code == 302


def test_it_shows_the_form_with_sandbox_marked(viewer_client, world) -> None:
    response = viewer_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'name="sender"' in html
    assert "us-east-1 · sandbox" in html
    assert "eu-west-1 · production" in html


def test_get_parameters_prefill_the_form_without_running_it(viewer_client, world) -> None:
    response = viewer_client.get(URL, {"from": "admin@mydomain.example", "region": "eu-west-1"})
    html = response.content.decode()
    assert 'value="admin@mydomain.example"' in html
    assert response.context["result"] is None


@pytest.mark.parametrize(
    "client_fixture", ["viewer_client", "operator_client", "admin_client_role"]
)
def test_every_role_may_run_a_plain_post(request, world, client_fixture: str) -> None:
    client = request.getfixturevalue(client_fixture)
    response = post(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html  # a full page without JS
    assert REJECTED in html
    assert 'data-accepted="false"' in html
    assert "Request production access for us-east-1" in html


def test_htmx_post_returns_only_the_panel(viewer_client, world) -> None:
    response = post(viewer_client, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section class="card" id="send-check-panel"')
    assert REJECTED in html
    assert "HX-Request" in response["Vary"]


def test_production_region_accepts(viewer_client, world) -> None:
    html = post(viewer_client, region="eu-west-1", htmx=True).content.decode()
    assert 'data-accepted="true"' in html
    assert "SES would accept this message" in html


def test_several_recipients_and_domain_verification(viewer_client, world) -> None:
    domain = IdentityFactory(account=world, name="verified.example")
    RegionalIdentityFactory(identity=domain, region=world.regions.get(code="us-east-1"))
    html = post(
        viewer_client, recipients="ops@verified.example\nsuccess@simulator.amazonses.com"
    ).content.decode()
    assert 'data-accepted="true"' in html


def test_invalid_addresses_are_form_errors(viewer_client, world) -> None:
    response = post(viewer_client, htmx=True, sender="nope", recipients="a@b.example, bad@")
    html = response.content.decode()
    assert response.status_code == 200
    assert "&#x27;nope&#x27; is not a valid email address" in html
    assert "&#x27;bad@&#x27; is not a valid email address" in html
    assert "data-accepted" not in html  # no check was run


def test_unknown_region_is_a_form_error(viewer_client, world) -> None:
    response = post(viewer_client, region="mars-1")
    assert response.status_code == 200
    assert "region" in response.context["form"].errors


def test_region_of_another_account_is_rejected(viewer_client, world) -> None:
    other = AwsAccountFactory(label="other")
    RegionFactory(account=other, code="ap-south-1")
    response = post(viewer_client, region="ap-south-1")
    assert "Account main has no region ap-south-1." in response.content.decode()


def test_no_account_yet_shows_an_empty_state(viewer_client) -> None:
    response = viewer_client.get(URL)
    assert "No AWS account yet" in response.content.decode()


def test_it_needs_a_csrf_token(viewer, world) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(URL, {"sender": "a@b.example"})
    assert response.status_code == 403


def test_what_to_do_links_each_fix_to_the_page_that_does_it(viewer_client, world) -> None:
    sandbox = world.regions.get(code="us-east-1")
    pending = IdentityFactory(account=world, name="pending@mydomain.example")
    RegionalIdentityFactory(
        identity=pending, region=sandbox, verification_status="PENDING", verified_for_sending=False
    )

    html = post(viewer_client, sender="pending@mydomain.example").content.decode()

    production = reverse("production_access", args=[sandbox.pk])
    assert f'<a class="fix-link" href="{production}">Request production access' in html
    identity = reverse("identity_detail", args=[pending.pk])
    assert f'<a class="fix-link" href="{identity}">Open pending@mydomain.example' in html
    # someone@example.com is no identity of sesops: its fix stays plain text.
    assert html.count('class="fix-link"') == 2
