"""ListMultiRegionEndpoints through the boto3 chokepoint, against the emulator: every page
read, each endpoint typed with its primary (the region listing it) and secondary region."""

from __future__ import annotations

import pytest

from regions import ses, ses_answers
from regions.ses_types import MultiRegionEndpoint
from tests.identities.ses_backends import emulator_backend, region_for, ses_env  # noqa: F401

pytestmark = pytest.mark.django_db


def _create(backend, region: str, name: str, secondary: str) -> str:
    client = backend.client("sesv2", region)
    answer = client.create_multi_region_endpoint(
        EndpointName=name, Details={"RoutesDetails": [{"Region": secondary}]}
    )
    return answer["EndpointId"]


def test_it_lists_every_page_of_the_regions_own_endpoints(emulator_backend, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ses, "LIST_PAGE_SIZE", 2)
    ids = [_create(emulator_backend, "us-east-1", f"e{i}", "eu-west-1") for i in range(3)]
    _create(emulator_backend, "eu-west-1", "other-primary", "us-east-1")
    region = region_for(emulator_backend)
    client = ses.client_for(region.account, region.code)

    found = client.list_multi_region_endpoints()

    assert [(e.name, e.endpoint_id, e.status, e.primary, e.secondary) for e in found] == [
        (f"e{i}", ids[i], "READY", "us-east-1", "eu-west-1") for i in range(3)
    ]
    assert all(isinstance(e, MultiRegionEndpoint) and e.created_at for e in found)
    assert client.calls == 2  # pages of 2: one call per page, each paced and counted


def test_the_secondary_is_the_region_that_is_not_the_primary():
    item = {"EndpointName": "x", "EndpointId": "a.b", "Status": "READY"}
    first = ses_answers.multi_region_endpoint(
        "eu-west-1", {**item, "Regions": ["us-east-1", "eu-west-1"]}
    )
    second = ses_answers.multi_region_endpoint(
        "eu-west-1", {**item, "Regions": ["eu-west-1", "us-east-1"]}
    )
    assert (first.primary, first.secondary) == ("eu-west-1", "us-east-1")
    assert (second.primary, second.secondary) == ("eu-west-1", "us-east-1")
