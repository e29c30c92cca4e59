"""VDM as SES v2 answers it: GetAccount's VdmAttributes, PutAccountVdmAttributes, and the
Advisor's ListRecommendations (filters, PageSize 1-100, NextToken), seeded by a scenario or
the control API."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import error_code

ACCOUNT = "000000000000"


def _world(recommendations: list[dict]) -> dict:
    region = {"vdm": {"enabled": True, "recommendations": recommendations}}
    return {"accounts": [{"id": ACCOUNT, "regions": {"us-east-1": region}}]}


def test_vdm_is_absent_from_get_account_until_it_is_set(ses):
    assert "VdmAttributes" not in ses.get_account()
    ses.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        }
    )
    assert ses.get_account()["VdmAttributes"] == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    }


def test_put_account_vdm_attributes_refuses_an_unknown_status(ses):
    with pytest.raises(ClientError) as exc:
        ses.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ON"})
    assert error_code(exc) == "BadRequestException"


def test_recommendations_name_the_identity_by_its_arn_and_filter_by_status():
    world = _world(
        [
            {"identity": "Example.test", "type": "DKIM", "impact": "HIGH", "description": "d1"},
            {"identity": "ops@example.test", "type": "DMARC", "status": "FIXED"},
        ]
    )
    with run_emulator(world) as emu:
        ses = emu.client("sesv2")
        found = ses.list_recommendations(Filter={"STATUS": "OPEN"})["Recommendations"]
        fixed = ses.list_recommendations(Filter={"STATUS": "FIXED", "TYPE": "DMARC"})
    assert [(r["ResourceArn"], r["Type"], r["Impact"], r["Description"]) for r in found] == [
        (f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.test", "DKIM", "HIGH", "d1")
    ]
    assert [r["ResourceArn"] for r in fixed["Recommendations"]] == [
        f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/ops@example.test"
    ]


def test_recommendations_come_in_pages_of_at_most_100():
    world = _world([{"identity": f"d{i:03d}.example.test", "type": "SPF"} for i in range(150)])
    with run_emulator(world) as emu:
        ses = emu.client("sesv2")
        first = ses.list_recommendations(PageSize=100)
        second = ses.list_recommendations(PageSize=100, NextToken=first["NextToken"])
        with pytest.raises(ClientError) as too_big:
            ses.list_recommendations(PageSize=101)
    assert len(first["Recommendations"]) == 100
    assert len(second["Recommendations"]) == 50 and "NextToken" not in second
    assert error_code(too_big) == "BadRequestException"


def test_only_status_combines_with_another_filter(ses):
    with pytest.raises(ClientError) as exc:
        ses.list_recommendations(Filter={"TYPE": "DKIM", "IMPACT": "HIGH"})
    assert error_code(exc) == "BadRequestException"
    assert (
        ses.list_recommendations(Filter={"STATUS": "OPEN", "IMPACT": "HIGH"})["Recommendations"]
        == []
    )


def test_the_control_api_replaces_a_regions_recommendations(emu, ses):
    path = f"regions/{ACCOUNT}/us-east-1"
    emu.control("POST", path, {"vdm": {"enabled": True, "recommendations": [
        {"identity": "example.test", "type": "BOUNCE", "impact": "LOW"}
    ]}})  # fmt: skip
    assert [r["Type"] for r in ses.list_recommendations()["Recommendations"]] == ["BOUNCE"]
    region = emu.control("POST", path, {"vdm": {"recommendations": []}})
    assert region["vdm"] == {"VdmEnabled": "ENABLED"} and region["recommendations"] == []
    assert ses.list_recommendations()["Recommendations"] == []


def test_a_bad_seeded_recommendation_is_refused_with_a_clear_error(emu):
    with pytest.raises(Exception, match="type must be one of"):
        emu.control(
            "POST",
            f"regions/{ACCOUNT}/us-east-1",
            {"vdm": {"recommendations": [{"identity": "example.test", "type": "NOPE"}]}},
        )
