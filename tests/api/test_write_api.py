"""The write API: the identity page's actions, with the pages' roles and the token's scope,
each writing the page's audit event under the token owner's name."""

from __future__ import annotations

import pytest
from django.test import Client

from api.models import ApiToken
from identities.models import RegionalIdentity
from regions.models import Event
from regions.ses_types import SesError
from tests.api.conftest import bearer, new_token

pytestmark = pytest.mark.django_db
THROTTLED = SesError(
    "TooManyRequestsException",
    "Rate exceeded",
    permanent=False,
    throttled=True,
    http_status=429,
    operation="VerifyEmailIdentity",
)


def post(client, token, path, body=None):
    return client.post(path, body or {}, content_type="application/json", **bearer(token))


def url(identity, action):
    return f"/api/v1/identities/{identity.pk}/{action}"


def action_events(subject):
    return list(Event.objects.filter(kind="action", subject=subject).order_by("pk"))


def test_sync_now_queues_every_region_and_audits_as_the_token_owner(
    client, world, operator, operator_token, queued
):
    response = post(client, operator_token, url(world["ok"], "sync"))
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["level"]) == (True, "success")
    assert sorted(queued.calls) == [("eu-west-1", "operator"), ("us-east-1", "operator")]
    events = action_events("sync_now")
    assert [(e.actor, e.region.code) for e in events] == [
        (operator, r["region"]) for r in body["regions"]
    ]


def test_a_read_token_never_acts_whatever_its_owners_role(client, world, operator, queued):
    token = new_token(operator, ApiToken.Scope.READ)
    response = post(client, token, url(world["ok"], "sync"))
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert queued.calls == [] and action_events("sync_now") == []


def test_a_viewers_operate_token_cannot_act(client, world, viewer, queued, fake_ses):
    token = new_token(viewer, ApiToken.Scope.OPERATE)
    for action in ("sync", "check-dns", "resend-verification"):
        response = post(client, token, url(world["pending"], action))
        assert response.status_code == 403
        assert "operator role" in response.json()["detail"]
    assert queued.calls == [] and fake_ses.calls == []
    assert not Event.objects.filter(kind="action").exclude(subject="api_token_create").exists()


def test_resend_verification_sends_where_unverified(
    client, world, operator, operator_token, fake_ses, no_resend_cooldown
):
    response = post(client, operator_token, url(world["pending"], "resend-verification"))
    assert response.status_code == 200
    assert fake_ses.calls == [("verify_email", "eu-west-1", "new@other.example")]
    [event] = action_events("resend_verification")
    assert (event.actor, event.region.code, event.result) == (operator, "eu-west-1", "ok")


def test_resend_limited_to_given_regions(client, world, operator_token, fake_ses):
    body = {"regions": ["us-east-1"]}  # the address is not in us-east-1
    response = post(client, operator_token, url(world["pending"], "resend-verification"), body)
    assert response.status_code == 200
    assert response.json()["level"] == "warning"
    assert fake_ses.calls == []


def test_ses_refusing_everything_is_a_409_with_the_reason_and_changes_nothing(
    client, world, operator_token, fake_ses, no_resend_cooldown
):
    fake_ses.error = THROTTLED
    response = post(client, operator_token, url(world["pending"], "resend-verification"))
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False
    assert "Rate exceeded" in body["regions"][0]["message"]
    [event] = action_events("resend_verification")
    assert event.result == "error"


def test_add_a_domain_to_a_region_returns_the_records_to_publish(
    client, world, operator, operator_token, fake_ses
):
    body = {"regions": ["us-east-1"], "dkim": {"mode": "deed", "parent": "eu-west-1"}}
    response = post(client, operator_token, url(world["domain"], "add-to-regions"), body)
    assert response.status_code == 200, response.json()
    [item] = response.json()["regions"]
    assert item["region"] == "us-east-1" and item["ok"] is True
    dkim = [r for r in item["records"] if r["purpose"] == "dkim"]
    assert dkim and all(r["rtype"] == "CNAME" and "._domainkey." in r["name"] for r in dkim)
    assert fake_ses.calls[0][3] == {"dkim_origin": "AWS_SES_EU_WEST_1"}
    assert RegionalIdentity.objects.filter(
        identity=world["domain"], region=world["sandbox"], present=True
    ).exists()
    [event] = action_events("add_to_region")
    assert (event.actor, event.region.code) == (operator, "us-east-1")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"regions": ["eu-west-1"]}, "does not exist yet"),  # already there
        ({"regions": ["mars-1"]}, "does not exist yet"),
        ({"regions": ["us-east-1"], "dkim": {"mode": "deed", "parent": "mars-1"}}, "parent"),
        ({"regions": ["us-east-1"], "dkim": {"mode": "byodkim", "selector": "s1"}}, "BYODKIM"),
    ],
)
def test_add_to_regions_refusals_are_409_and_call_nothing(
    client, world, operator_token, fake_ses, body, reason
):
    response = post(client, operator_token, url(world["domain"], "add-to-regions"), body)
    assert response.status_code == 409
    assert reason in response.json()["message"]
    assert fake_ses.calls == []


def test_check_dns_probes_the_domain_and_audits(
    client, world, operator, operator_token, probe_settings
):
    response = post(client, operator_token, url(world["domain"], "check-dns"))
    assert response.status_code == 200, response.json()
    assert response.json()["message"].startswith("Checked ")
    [event] = action_events("check_dns")
    assert event.actor == operator


def test_check_dns_of_an_address_is_a_409(client, world, operator_token):
    response = post(client, operator_token, url(world["ok"], "check-dns"))
    assert response.status_code == 409
    assert "for domains" in response.json()["message"]


def test_unknown_identity_is_404(client, world, operator_token, queued):
    assert post(client, operator_token, "/api/v1/identities/999999/sync").status_code == 404
    assert queued.calls == []


def test_session_writes_need_the_csrf_token(world, operator, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(url(world["ok"], "sync"), content_type="application/json")
    assert response.status_code == 403
    assert queued.calls == []
    client.get("/account/tokens/")  # sets the CSRF cookie, as the docs page does
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url(world["ok"], "sync"), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200
    assert len(queued.calls) == 2


def test_resend_needs_no_body(client, world, operator_token, fake_ses, no_resend_cooldown):
    # As `curl -X POST` sends it: no body, no content type.
    response = client.generic(
        "POST", url(world["pending"], "resend-verification"), b"", **bearer(operator_token)
    )
    assert response.status_code == 200, response.json()
    assert fake_ses.calls == [("verify_email", "eu-west-1", "new@other.example")]
