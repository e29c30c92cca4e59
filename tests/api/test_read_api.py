"""The read API: identities (grid filters, cursor pages), one identity with its DNS answers,
account-regions, events, and the send check, through a token."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def get(client, token, path, **params):
    return client.get(path, params, **bearer(token))


def send_check(client, token, sender, to, region):
    body = {"from": sender, "to": to, "region": region}
    return client.post("/api/v1/send-check", body, content_type="application/json", **bearer(token))


def test_identities_list_carries_per_region_state_and_blockers(client, world, viewer_token):
    body = get(client, viewer_token, "/api/v1/identities").json()
    assert body["count"] == 3
    assert body["blocked"] == 1
    by_name = {i["name"]: i for i in body["results"]}
    pending = by_name["new@other.example"]
    assert pending["blocked"] is True
    cells = {c["region"]: c for c in pending["regions"]}
    assert set(cells) == {"us-east-1", "eu-west-1"}
    assert cells["eu-west-1"]["status"] == "blocked"
    assert [b["code"] for b in cells["eu-west-1"]["blockers"]] == ["verification_pending"]
    assert cells["us-east-1"]["present"] is False
    assert cells["us-east-1"]["blockers"][0]["code"] == "not_in_region"
    sandboxed = {c["region"]: c for c in by_name["admin@example.com"]["regions"]}["us-east-1"]
    assert sandboxed["sandbox"] is True
    assert sandboxed["statuses"]["verification"] == "SUCCESS"


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"kind": "domain"}, ["example.com"]),
        ({"search": "OTHER"}, ["new@other.example"]),
        ({"blocked": "true"}, ["new@other.example"]),
        ({"account": "nope"}, []),
        ({"region": "us-east-1", "blocked": "true"}, []),
    ],
)
def test_identities_filters_are_the_grids(client, world, viewer_token, params, names):
    body = get(client, viewer_token, "/api/v1/identities", **params).json()
    assert [i["name"] for i in body["results"]] == names


def test_region_filter_narrows_the_regions_shown(client, world, viewer_token):
    body = get(client, viewer_token, "/api/v1/identities", region="eu-west-1").json()
    assert {c["region"] for i in body["results"] for c in i["regions"]} == {"eu-west-1"}


def test_identities_cursor_pages_cover_every_identity_once(client, world, viewer_token):
    seen, cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        body = get(client, viewer_token, "/api/v1/identities", **params).json()
        seen += [i["name"] for i in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(["example.com", "admin@example.com", "new@other.example"])


@pytest.mark.parametrize("cursor", ["garbage!", "W10", "WyJhIiwiYiJd", "WzEsMl0"])
def test_a_bad_cursor_is_a_400_not_a_500(client, world, viewer_token, cursor):
    for path in ("/api/v1/identities", "/api/v1/events"):
        response = get(client, viewer_token, path, cursor=cursor)
        assert response.status_code == 400
        assert "cursor" in response.json()["detail"]


def test_a_parameter_given_twice_is_a_422_naming_it(client, world, viewer_token):
    response = client.get(
        "/api/v1/identities?cursor=1.5&cursor=&kind=domain", **bearer(viewer_token)
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "cursor"]
    assert error["msg"] == "cursor is given 2 times: pass it once"


def test_identity_detail_has_dns_records_and_what_each_nameserver_served(
    client, world, viewer_token
):
    response = get(client, viewer_token, f"/api/v1/identities/{world['domain'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "example.com"
    [table] = body["dns"]
    assert table["region"] == "eu-west-1"
    assert table["to_publish"] == 1
    [record] = table["records"]
    assert (record["name"], record["verdict"]) == ("tok1._domainkey.example.com", "missing")
    assert record["answers"] == [
        {
            "host": "ns1.example.net",
            "address": "192.0.2.1",
            "served": "NXDOMAIN",
            "ttl": None,
            "delegated": True,
            "notes": [],
        }
    ]
    assert "tok1._domainkey.example.com" in table["zone_file"]
    assert {r["region"] for r in body["regions"]} == {"us-east-1", "eu-west-1"}


def test_unknown_identity_is_404(client, world, viewer_token):
    assert get(client, viewer_token, "/api/v1/identities/999999").status_code == 404


def test_account_regions_carry_sandbox_quota_enforcement_review(client, world, viewer_token):
    world["prod"].review_status = "GRANTED"
    world["prod"].review_case_id = "case-1"
    world["prod"].save()
    body = get(client, viewer_token, "/api/v1/account-regions").json()
    by_code = {r["region"]: r for r in body}
    assert by_code["us-east-1"]["sandbox"] is True
    assert by_code["eu-west-1"]["sandbox"] is False
    assert by_code["eu-west-1"]["quota"]["max_24_hour_send"] == 50000.0
    assert by_code["eu-west-1"]["enforcement_status"] == "HEALTHY"
    assert by_code["eu-west-1"]["review"] == {"status": "GRANTED", "case_id": "case-1"}
    assert by_code["eu-west-1"]["coverage"]["usable_here"] == 2  # example.com, admin@
    assert by_code["us-east-1"]["coverage"]["missing_here"] == 1  # example.com


def test_events_newest_first_by_cursor(client, world, viewer_token):
    first = get(client, viewer_token, "/api/v1/events", kind="status", limit=2).json()
    assert [e["after"] for e in first["results"]] == ["PENDING2", "PENDING1"]
    rest = get(
        client, viewer_token, "/api/v1/events", kind="status", cursor=first["next_cursor"]
    ).json()
    assert ([e["after"] for e in rest["results"]], rest["next_cursor"]) == (["PENDING0"], None)
    [created] = get(client, viewer_token, "/api/v1/events", kind="action").json()["results"]
    assert (created["subject"], created["actor"]) == ("api_token_create", "viewer")


def test_send_check_returns_ses_predicted_error(client, world, viewer_token):
    response = send_check(
        client, viewer_token, "admin@example.com", ["someone@else.example"], "us-east-1"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] is False
    assert body["error_code"] == "MessageRejected"
    assert body["message"].startswith("Email address is not verified.")
    assert "someone@else.example" in body["message"]


def test_send_check_accepts_where_ses_would(client, world, viewer_token):
    body = send_check(
        client, viewer_token, "admin@example.com", ["someone@else.example"], "eu-west-1"
    ).json()
    assert (body["accepted"], body["error"]) == (True, "")


def test_send_check_checks_the_return_path_like_the_sender(client, world, viewer_token):
    body = {
        "from": "admin@example.com",
        "to": ["someone@else.example"],
        "return_path": "bounces@elsewhere.example",
        "region": "eu-west-1",
    }
    answer = client.post(
        "/api/v1/send-check", body, content_type="application/json", **bearer(viewer_token)
    ).json()
    assert answer["accepted"] is False
    assert answer["message"].endswith(
        "failed the check in region EU-WEST-1: bounces@elsewhere.example"
    )


def test_send_check_bad_input_is_a_400_with_the_reason(client, world, viewer_token):
    response = send_check(client, viewer_token, "not an address", ["a@b.example"], "eu-west-1")
    assert response.status_code == 400
    assert "not a valid email address" in response.json()["detail"]
    response = send_check(client, viewer_token, "a@b.example", ["a@b.example"], "mars-1")
    assert response.status_code == 400
    assert "Unknown region 'mars-1'" in response.json()["detail"]


def test_ses_report_json_and_the_api_serialise_a_regional_identity_alike(
    client, world, viewer_token
):
    out = StringIO()
    call_command("ses_report", "--format", "json", stdout=out)
    report = {(r["identity"], r["region"]): r for r in json.loads(out.getvalue())}
    detail = get(client, viewer_token, f"/api/v1/identities/{world['pending'].pk}").json()
    [api_row] = [r for r in detail["regions"] if r["region"] == "eu-west-1"]
    assert report[("new@other.example", "eu-west-1")] == api_row
    assert api_row["blockers"][0]["code"] == "verification_pending"
