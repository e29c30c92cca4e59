"""Actions on an identity: resend verification, add to regions, sync now.

SES is faked at the chokepoint (regions.ses.client_for); the queue at
identities.tasks.enqueue_region_sync.
"""

from __future__ import annotations

import pytest
from django.test import Client

from identities import tasks
from identities.models import Identity, RegionalIdentity
from regions.models import Event, SyncRun
from regions.ses_types import SesError
from tests.factories import (
    AwsAccountFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

THROTTLED = SesError("TooManyRequestsException", "Rate exceeded", permanent=False, throttled=True,
                     http_status=429, operation="VerifyEmailIdentity")  # fmt: skip


def _snapshot() -> list[tuple]:
    return list(
        RegionalIdentity.objects.order_by("pk").values_list(
            "identity_id",
            "region_id",
            "present",
            "verification_status",
            "dkim_tokens",
            "changed_at",
        )
    )


def _url(action: str, identity: Identity) -> str:
    return {
        "resend": f"/identities/{identity.pk}/resend-verification/",
        "add": f"/identities/{identity.pk}/add-to-regions/",
        "sync": f"/identities/{identity.pk}/sync/",
    }[action]


# --- permissions, methods, CSRF, 404 ---------------------------------------------------


@pytest.mark.parametrize("action", ["resend", "add", "sync"])
def test_viewer_gets_403_and_nothing_changes(viewer_client, world, fake_ses, queued, action):
    before = _snapshot()
    data = {"regions": [world["apse2"].pk]}
    response = viewer_client.post(_url(action, world["address"]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert fake_ses.calls == [] and queued.calls == []
    assert _snapshot() == before
    assert not Event.objects.exists()


@pytest.mark.parametrize("action", ["resend", "add", "sync"])
def test_get_is_not_allowed(operator_client, world, action):
    assert operator_client.get(_url(action, world["address"])).status_code == 405


@pytest.mark.parametrize("action", ["resend", "add", "sync"])
def test_unknown_identity_is_404(operator_client, world, action):
    missing = Identity(pk=987654)
    assert operator_client.post(_url(action, missing)).status_code == 404


@pytest.mark.parametrize("action", ["resend", "add", "sync"])
def test_anonymous_post_is_sent_to_login(client, world, fake_ses, action):
    response = client.post(_url(action, world["address"]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert fake_ses.calls == []


def test_csrf_is_enforced(operator, world, fake_ses):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    url = _url("resend", world["address"])
    assert browser.post(url, HTTP_HX_REQUEST="true").status_code == 403
    assert fake_ses.calls == []
    # With the token the page hands out (htmx sends it as X-CSRFToken from <body hx-headers>).
    browser.get(f"/identities/{world['address'].pk}/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(url, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert [c[0] for c in fake_ses.calls] == ["verify_email"]


# --- resend verification ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "admin_user"])
def test_resend_sends_from_each_unverified_region_and_audits(request, who, world, fake_ses):
    user = request.getfixturevalue(who)
    browser = Client()
    browser.force_login(user)
    response = browser.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert fake_ses.calls == [("verify_email", "eu-west-1", "ops@example.net")]
    assert 'class="flash flash-success"' in html
    assert "Verification email sent from eu-west-1" in html and "24 hours" in html
    event = Event.objects.get()
    assert (event.kind, event.subject, event.result) == ("action", "resend_verification", "ok")
    assert event.actor == user and event.region == world["euw1"]
    assert event.identity_name == "ops@example.net" and event.account == world["acc"]


def test_a_double_click_sends_one_email(operator_client, world, fake_ses):
    url = _url("resend", world["address"])
    operator_client.post(url, HTTP_HX_REQUEST="true")
    second = operator_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert len(fake_ses.calls) == 1
    assert "flash-warning" in second and "to protect the mailbox" in second
    assert list(Event.objects.order_by("id").values_list("result", flat=True)) == [
        "ok",
        "refused",
    ]  # the cooldown said no: not an error


def test_resend_is_greyed_out_with_a_countdown_during_its_cooldown(
    operator_client, world, fake_ses, settings
):
    settings.SESOPS_RESEND_COOLDOWN = 300
    page = f"/identities/{world['address'].pk}/"
    before = operator_client.get(page).content.decode()
    assert "data-countdown" not in before

    answer = operator_client.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")

    # The answer swaps the button itself (out of band); a reload shows the same.
    swapped = answer.content.decode()
    assert 'id="resend-form" action=' in swapped and 'hx-swap-oob="true"' in swapped
    for html in (swapped, operator_client.get(page).content.decode()):
        assert "Resend verification in" in html
        left = int(html.split('data-countdown="')[1].split('"')[0])
        assert 290 <= left <= 300


def test_resend_here_targets_one_region(operator_client, world, fake_ses):
    url = _url("resend", world["address"])
    html = operator_client.post(url, {"region": world["use1"].pk}, HTTP_HX_REQUEST="true")
    assert "Nothing to resend" in html.content.decode()  # verified in us-east-1
    assert fake_ses.calls == []
    operator_client.post(url, {"region": world["euw1"].pk}, HTTP_HX_REQUEST="true")
    assert fake_ses.calls == [("verify_email", "eu-west-1", "ops@example.net")]


def test_resend_for_a_domain_is_refused_without_calling_ses(operator_client, world, fake_ses):
    html = operator_client.post(_url("resend", world["domain"]), HTTP_HX_REQUEST="true")
    assert "Only email addresses get a verification email" in html.content.decode()
    assert fake_ses.calls == []


def test_resend_when_verified_everywhere_has_nothing_to_do(operator_client, world, fake_ses):
    RegionalIdentity.objects.filter(identity=world["address"]).update(
        verification_status="SUCCESS", verified_for_sending=True
    )
    html = operator_client.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")
    assert "Nothing to resend" in html.content.decode()
    assert fake_ses.calls == []


def test_ses_throttling_gives_a_message_changes_nothing_and_allows_a_retry(
    operator_client, world, fake_ses
):
    before = _snapshot()
    fake_ses.error = THROTTLED
    response = operator_client.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "flash-error" in html
    assert "SES throttled the request (too many requests)" in html
    assert _snapshot() == before
    assert Event.objects.get().result == "error"
    # Nothing went out, so no cooldown: the retry reaches SES.
    fake_ses.error = None
    operator_client.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")
    assert len(fake_ses.calls) == 2


def test_unexpected_error_is_a_message_not_a_500(operator_client, world, fake_ses):
    fake_ses.error = RuntimeError("profile not found")
    response = operator_client.post(_url("resend", world["address"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "unexpected error (RuntimeError)" in response.content.decode()


def test_plain_post_redirects_back_with_a_message(operator_client, world, fake_ses):
    response = operator_client.post(_url("resend", world["address"]), follow=True)
    assert response.redirect_chain == [(f"/identities/{world['address'].pk}/", 302)]
    assert "Verification email sent from eu-west-1" in response.content.decode()


# --- add to regions ---------------------------------------------------------------------


def test_add_domain_with_easy_dkim_shows_each_regions_new_records(operator_client, world, fake_ses):
    data = {"regions": [world["euw1"].pk, world["apse2"].pk], "dkim": "easy"}
    html = operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert [c[:3] for c in fake_ses.calls] == [
        ("create_identity", "eu-west-1", "example.com"),
        ("create_identity", "ap-southeast-2", "example.com"),
    ]
    assert fake_ses.calls[0][3] == {}
    assert "eu-west-1-a._domainkey.example.com" in html
    assert "eu-west-1-a.dkim.amazonses.com" in html
    assert "ap-southeast-2-c._domainkey.example.com" in html
    assert 'id="identity-regions" hx-swap-oob="true"' in html  # the table refreshes in place
    created = RegionalIdentity.objects.get(identity=world["domain"], region=world["apse2"])
    assert created.verification_status == "PENDING" and created.dkim_tokens[0] == "ap-southeast-2-a"
    assert created.blocking is True  # counted as blocked at once, before any sync
    assert Event.objects.filter(subject="add_to_region", result="ok").count() == 2


def test_add_domain_as_deed_replica_passes_the_parent_origin(operator_client, world, fake_ses):
    data = {"regions": [world["euw1"].pk], "dkim": "deed", "parent": world["use1"].pk}
    operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    assert fake_ses.calls[0][3] == {"dkim_origin": "AWS_SES_US_EAST_1"}


@pytest.mark.parametrize(
    ("parent_state", "reason"),
    [
        ({"dkim_origin": "EXTERNAL"}, "REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED"),
        ({"dkim_origin": "AWS_SES_EU_CENTRAL_1"}, "REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED"),
        ({"verification_status": "PENDING"}, "is not verified (pending)"),
    ],
)
def test_add_refuses_a_deed_parent_ses_would_refuse_with_its_reason(
    operator_client, world, fake_ses, parent_state, reason
):
    RegionalIdentity.objects.filter(identity=world["domain"], region=world["use1"]).update(
        **parent_state
    )
    data = {"regions": [world["euw1"].pk], "dkim": "deed", "parent": world["use1"].pk}
    html = operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    assert reason in html.content.decode()
    assert fake_ses.calls == []


def test_add_domain_with_byodkim_passes_selector_and_bare_key(operator_client, world, fake_ses):
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEv\nQIBADAN\n-----END PRIVATE KEY-----\n"
    data = {"regions": [world["euw1"].pk], "dkim": "byodkim", "selector": "Sesops",
            "private_key": pem}  # fmt: skip
    operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    assert fake_ses.calls[0][3] == {
        "byodkim_selector": "sesops",
        "byodkim_private_key": "MIIEvQIBADAN",
    }


def test_add_address_creates_it_and_mentions_the_verification_email(
    operator_client, world, fake_ses
):
    data = {"regions": [world["apse2"].pk]}
    html = operator_client.post(_url("add", world["address"]), data, HTTP_HX_REQUEST="true")
    assert "SES sent a verification email from each new region" in html.content.decode()
    assert RegionalIdentity.objects.filter(
        identity=world["address"], region=world["apse2"]
    ).exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"regions": ["nope"]}, {"regions": ["use1"]}, {"regions": ["other"]}],
    ids=["none", "junk", "already-present", "other-account"],
)
def test_add_refuses_bad_region_choices_without_calling_ses(operator_client, world, fake_ses, data):
    other_region = RegionFactory(account=AwsAccountFactory(label="other"), code="us-west-2")
    ids = {"use1": world["use1"].pk, "other": other_region.pk}
    data = {k: [ids.get(v, v) for v in vs] for k, vs in data.items()}
    html = operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    assert (
        "Choose at least one region where the identity does not exist yet." in html.content.decode()
    )
    assert fake_ses.calls == []


def test_add_with_deed_needs_a_valid_parent(operator_client, world, fake_ses):
    data = {
        "regions": [world["euw1"].pk],
        "dkim": "deed",
        "parent": world["apse2"].pk,
    }
    html = operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    assert "Choose the parent region" in html.content.decode()
    assert fake_ses.calls == []


def test_add_ses_failure_changes_nothing(operator_client, world, fake_ses):
    before = _snapshot()
    fake_ses.error = SesError("LimitExceededException", "Maximum identities reached",
                              permanent=True, http_status=400)  # fmt: skip
    data = {"regions": [world["euw1"].pk], "dkim": "easy"}
    response = operator_client.post(_url("add", world["domain"]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "an SES limit was reached" in html and "Nothing was changed" in html
    assert _snapshot() == before
    assert Event.objects.get().result == "error"


# --- sync now ---------------------------------------------------------------------------


def test_sync_now_queues_the_identitys_regions(operator_client, operator, world, queued):
    html = operator_client.post(_url("sync", world["address"]), HTTP_HX_REQUEST="true")
    assert sorted(queued.calls) == [("eu-west-1", "operator"), ("us-east-1", "operator")]
    assert "Sync queued or on its way for" in html.content.decode()
    assert Event.objects.filter(subject="sync_now", result="ok", actor=operator).count() == 2


def test_sync_now_with_the_broker_down_says_so(operator_client, world, queued):
    queued.broker_up = False
    html = operator_client.post(_url("sync", world["address"]), HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert "flash-error" in html and "task queue is unreachable" in html
    assert set(Event.objects.values_list("result", flat=True)) == {"error"}


def test_thirty_sync_now_clicks_queue_one_sync_per_region(
    operator_client, world, monkeypatch, django_capture_on_commit_callbacks
):
    published = []

    def apply_async(args=(), kwargs=None, **options):
        published.append(args)

    monkeypatch.setattr(tasks.sync_region_task, "apply_async", apply_async)

    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            operator_client.post(_url("sync", world["address"]), HTTP_HX_REQUEST="true")
            for _ in range(30)
        ]

    assert sorted(published) == sorted([[world["use1"].pk], [world["euw1"].pk]])
    queued = SyncRun.objects.filter(status=SyncRun.Status.QUEUED)
    assert sorted(queued.values_list("region__code", flat=True)) == ["eu-west-1", "us-east-1"]
    last = pages[-1].content.decode()
    assert "a sync is already queued" in last
