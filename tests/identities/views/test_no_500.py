"""No malformed parameter ends in a 500: hypothesis throws generated values (unicode digits,
25-digit ids, NUL bytes, dates without a zone or impossible ones, arbitrary text) at every
view's query parameters and form fields; each answer is below 500. A refusal of a bad
parameter is a 400 that names it (the last tests)."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regions.params import BadParameter, query_id, query_text
from tests.factories import IdentityFactory, RegionalIdentityFactory, user_with_role

pytestmark = pytest.mark.django_db

NASTY = [
    "", "0", "-1", "²", "٣", "¹²", "9" * 25, "\x00", "a\x00b", "1\x00", " ", "%", "'", "\"",
    "2026-11-29T20:00:00", "2026-13-45T99:00:00Z", "2026-02-30T00:00:00+00:00",
    "2026-11-29T20:00:00+00:00", "nan", "1e309", "\u202e", "R&D team#1", "<script>",
    "12:ab,²:cd,9999999999999999999999999:x", "null", "true",
]  # fmt: skip
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

GET_PARAMS = {
    "/": ["q", "kind", "account", "region", "blocking", "page"],
    "/grid/refresh/": ["since", "stale", "rows", "cols", "head", "q", "region", "page"],
    "/activity/": ["kind", "account", "region", "identity", "actor", "result", "page"],
    "/send-check/": ["from", "to", "region", "account"],
    "/regions/": ["hidden"],
    "/alerts/deliveries/": ["channel", "status", "page"],
}


@pytest.fixture
def admin(db):
    return user_with_role("root-admin", "admin")


@pytest.fixture
def world_ids(db):
    ri = RegionalIdentityFactory(identity=IdentityFactory(name="example.com"))
    return {"identity": ri.identity_id, "region": ri.region_id}


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is an answer to assert on
    client.force_login(user)
    return client


def _check(response, params) -> None:
    # 200/204, 302, 400 (a named bad parameter or a form with its errors), 403, 404: not 5xx.
    assert response.status_code < 500, params


@pytest.mark.parametrize("path", list(GET_PARAMS))
def test_no_query_parameter_makes_a_page_answer_500(path, admin, world_ids):
    client = _client(admin)

    @SETTINGS
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(GET_PARAMS[path], VALUES)))
    def run(params):
        _check(client.get(path, params), params)

    run()


def test_no_id_or_parameter_makes_the_identity_pages_answer_500(admin, world_ids):
    client = _client(admin)
    i, r = world_ids["identity"], world_ids["region"]

    @SETTINGS
    @given(st.sampled_from([str(i), "9" * 25, "0"]), VALUES)
    def run(pk, region):
        for url in (
            f"/identities/{pk}/",
            f"/identities/{pk}/cell/{r}/",
            f"/identities/{i}/cell/{pk}/",
            f"/identities/{pk}/dns/zone-file/",
            f"/regions/{pk}/production-access/",
            f"/regions/{r}/production-access/result/",
        ):
            _check(client.get(url, {"region": region, "r": region}), (url, region))

    run()


def test_no_form_field_makes_a_post_answer_500(admin, world_ids, fake_ses, queued):
    client = _client(admin)
    i, r = world_ids["identity"], world_ids["region"]
    forms = {
        "/send-check/": ["sender", "recipients", "account", "region"],
        f"/identities/{i}/resend-verification/": ["region"],
        f"/identities/{i}/add-to-regions/": ["regions", "dkim_mode", "parent", "selector"],
        f"/regions/{r}/production-access/submit/": [
            "regions", "mail_type", "website_url", "contact_language", "use_case_description",
        ],
        "/alerts/channels/new/": ["name", "type", "target", "enabled"],
        "/account/tokens/": ["name", "scope", "expires_in_days"],
    }  # fmt: skip

    @SETTINGS
    @given(st.sampled_from(sorted(forms)), st.data())
    def run(path, data):
        fields = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(forms[path], VALUES)))
        _check(client.post(path, fields), (path, fields))

    run()


def test_bad_parameters_are_refused_by_name():
    with pytest.raises(BadParameter, match="region: '²' is not an id"):
        query_id({"region": "²"}, "region")
    with pytest.raises(BadParameter, match="is not an id"):
        query_id({"region": "9" * 25}, "region")
    with pytest.raises(BadParameter, match="q: contains control characters"):
        query_text({"q": "a\x00b"}, "q", 320)
    assert query_id({"region": " 12 "}, "region") == 12


def test_bad_parameters_are_a_400_that_says_so(viewer_client):
    htmx = viewer_client.get("/?q=a%00b", HTTP_HX_REQUEST="true")
    assert (htmx.status_code, htmx.content.decode()) == (400, "q: contains control characters")
    api = viewer_client.get("/api/v1/identities", {"account": "a\x1eb"})
    assert api.status_code == 400
    assert api.json() == {"detail": "account: contains control characters"}
