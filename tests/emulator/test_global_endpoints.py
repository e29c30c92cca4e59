"""Global (multi-region) endpoints in the emulator, as AWS answers them: created in the
primary region, seen only there, one secondary region, names checked, statuses; every answer
conforms to botocore's output shape and every error is one the model lists."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import run_emulator
from tests.emulator.conftest import error_code
from tests.emulator.test_contract_botocore import COMMON_ERRORS, Recorder, off_model


def _details(region: str) -> dict:
    return {"RoutesDetails": [{"Region": region}]}


def test_an_endpoint_is_listed_and_read_in_its_primary_region_only(emu):
    primary, secondary = emu.client("sesv2"), emu.client("sesv2", region_name="eu-west-1")
    created = primary.create_multi_region_endpoint(
        EndpointName="global-mail", Details=_details("eu-west-1")
    )
    assert created["Status"] == "READY"  # endpoint_ready_seconds defaults to 0
    listed = primary.list_multi_region_endpoints()["MultiRegionEndpoints"]
    assert [(e["EndpointName"], e["EndpointId"], e["Regions"]) for e in listed] == [
        ("global-mail", created["EndpointId"], ["us-east-1", "eu-west-1"])
    ]
    got = primary.get_multi_region_endpoint(EndpointName="global-mail")
    assert got["Routes"] == [{"Region": "us-east-1"}, {"Region": "eu-west-1"}]
    assert secondary.list_multi_region_endpoints()["MultiRegionEndpoints"] == []
    with pytest.raises(ClientError) as exc:
        secondary.get_multi_region_endpoint(EndpointName="global-mail")
    assert error_code(exc) == "NotFoundException"


def test_a_new_endpoint_is_creating_until_its_delay_passes():
    with run_emulator({"endpoint_ready_seconds": 300}) as emu:
        ses = emu.client("sesv2")
        assert (
            ses.create_multi_region_endpoint(EndpointName="e1", Details=_details("eu-west-1"))[
                "Status"
            ]
            == "CREATING"
        )
        emu.control("POST", "/_emulator/clock", {"advance_seconds": 301})
        assert ses.get_multi_region_endpoint(EndpointName="e1")["Status"] == "READY"


@pytest.mark.parametrize(
    ("name", "details"),
    [
        ("has space", _details("eu-west-1")),
        ("x" * 65, _details("eu-west-1")),
        ("é-accent", _details("eu-west-1")),
        ("ok", _details("us-east-1")),  # the secondary is the primary
        ("ok", _details("mars-north-1")),
        ("ok", {"RoutesDetails": []}),
        ("ok", {"RoutesDetails": [{"Region": "eu-west-1"}, {"Region": "eu-west-2"}]}),
    ],
)
def test_a_bad_name_or_route_is_a_bad_request_and_creates_nothing(ses, name, details):
    with pytest.raises(ClientError) as exc:
        ses.create_multi_region_endpoint(EndpointName=name, Details=details)
    assert error_code(exc) == "BadRequestException"
    assert ses.list_multi_region_endpoints()["MultiRegionEndpoints"] == []


def test_a_second_endpoint_of_the_same_name_already_exists(ses):
    ses.create_multi_region_endpoint(EndpointName="dup", Details=_details("eu-west-1"))
    with pytest.raises(ClientError) as exc:
        ses.create_multi_region_endpoint(EndpointName="dup", Details=_details("eu-west-2"))
    assert error_code(exc) == "AlreadyExistsException"


def test_delete_answers_deleting_and_the_endpoint_is_gone(ses):
    ses.create_multi_region_endpoint(EndpointName="gone", Details=_details("eu-west-1"))
    assert ses.delete_multi_region_endpoint(EndpointName="gone")["Status"] == "DELETING"
    assert ses.list_multi_region_endpoints()["MultiRegionEndpoints"] == []
    with pytest.raises(ClientError) as exc:
        ses.delete_multi_region_endpoint(EndpointName="gone")
    assert error_code(exc) == "NotFoundException"


def test_the_listing_pages_with_next_token(ses):
    for i in range(5):
        ses.create_multi_region_endpoint(EndpointName=f"e{i}", Details=_details("eu-west-1"))
    names, token = [], None
    while True:
        page = ses.list_multi_region_endpoints(
            PageSize=2, **({"NextToken": token} if token else {})
        )
        names += [e["EndpointName"] for e in page["MultiRegionEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == [f"e{i}" for i in range(5)]


def test_a_scenario_seeds_endpoints_with_their_status():
    world = {
        "accounts": [
            {
                "id": "000000000000",
                "regions": {
                    "us-east-1": {
                        "endpoints": [
                            {"name": "ready-one", "secondary": "eu-west-1"},
                            {"name": "broken", "secondary": "ap-southeast-2", "status": "FAILED"},
                        ]
                    }
                },
            }
        ]
    }
    with run_emulator(world) as emu:
        listed = emu.client("sesv2").list_multi_region_endpoints()["MultiRegionEndpoints"]
        region = emu.control("GET", "/_emulator/regions/000000000000/us-east-1")
    assert [(e["EndpointName"], e["Status"]) for e in listed] == [
        ("broken", "FAILED"),
        ("ready-one", "READY"),
    ]
    assert [e["EndpointName"] for e in region["endpoints"]] == ["broken", "ready-one"]


def test_endpoint_answers_conform_to_botocores_output_shapes():
    with run_emulator({}) as emu:
        rec = Recorder(emu, "sesv2", raw=True)
        ses = rec.client()
        ses.create_multi_region_endpoint(
            EndpointName="shape",
            Details=_details("eu-west-1"),
            Tags=[{"Key": "team", "Value": "mail"}],
        )
        ses.list_multi_region_endpoints(PageSize=1000)
        ses.get_multi_region_endpoint(EndpointName="shape")
        ses.delete_multi_region_endpoint(EndpointName="shape")
        for call in (
            lambda: ses.get_multi_region_endpoint(EndpointName="missing"),
            lambda: ses.create_multi_region_endpoint(
                EndpointName="bad name", Details=_details("eu-west-1")
            ),
            lambda: ses.delete_multi_region_endpoint(EndpointName="missing"),
            lambda: ses.list_multi_region_endpoints(NextToken="%%%%"),
        ):
            with pytest.raises(ClientError):
                call()
    assert {op for op, _, _ in rec.seen} == {
        "CreateMultiRegionEndpoint",
        "ListMultiRegionEndpoints",
        "GetMultiRegionEndpoint",
        "DeleteMultiRegionEndpoint",
    }
    assert [
        f"{op}: {e}" for op, body, shape in rec.seen for e in off_model(body, shape, raw=True)
    ] == []
    assert len(rec.errors) == 4
    assert [
        (op, code) for op, code, listed in rec.errors if code not in {*listed, *COMMON_ERRORS}
    ] == []
