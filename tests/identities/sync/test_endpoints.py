"""A region sync reads the global endpoints whose primary region it is: one paced call, rows
written in the sync's transaction, gone endpoints marked gone, a failing list costing the
region nothing but that list."""

from __future__ import annotations

import pytest

from identities.models import RegionalIdentity
from identities.sync.run import sync_region
from identities.templatetags.sesops_events import event_sentence_for
from regions.models import Event, GlobalEndpoint, SyncRun
from regions.ses_types import IdentitySummary, MultiRegionEndpoint, SesError
from tests.factories import RegionFactory
from tests.identities.ses_backends import EMU_ACCOUNT, region_for

pytestmark = pytest.mark.django_db


def _endpoints(backend, region: str, *specs: dict) -> None:
    backend.emu.control("POST", f"regions/{EMU_ACCOUNT}/{region}", {"endpoints": list(specs)})


def _list_calls(backend, region: str) -> int:
    stats = backend.emu.control("GET", "stats")["counts"]
    return sum(
        r["count"]
        for r in stats
        if r["operation"] == "ListMultiRegionEndpoints" and r["region"] == region
    )


def test_it_stores_the_endpoints_listed_in_their_primary_region(emulator_backend):
    _endpoints(emulator_backend, "us-east-1", {"name": "global-mail", "secondary": "eu-west-1"})
    us, eu = region_for(emulator_backend), region_for(emulator_backend, "eu-west-1")

    run = sync_region(us, trigger="test")
    sync_region(eu, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    row = GlobalEndpoint.objects.get()
    assert (row.name, row.primary, row.secondary_code, row.status, row.present) == (
        "global-mail",
        us,
        "eu-west-1",
        "READY",
        True,
    )
    assert row.endpoint_id and row.ses_created_at
    assert _list_calls(emulator_backend, "us-east-1") == 1  # one call per region and sync
    assert _list_calls(emulator_backend, "eu-west-1") == 1
    us.refresh_from_db()
    assert us.endpoints_synced_at is not None and us.endpoints_error == ""
    # The first read is a baseline, like the identities': no "new endpoint" event.
    assert not Event.objects.filter(subject="global_endpoint").exists()


def test_an_endpoint_ses_no_longer_lists_is_marked_gone_and_comes_back(emulator_backend):
    _endpoints(emulator_backend, "us-east-1", {"name": "global-mail", "secondary": "eu-west-1"})
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    old_id = GlobalEndpoint.objects.get().endpoint_id

    _endpoints(emulator_backend, "us-east-1")
    sync_region(region, trigger="test")
    gone = GlobalEndpoint.objects.get()
    assert (gone.present, gone.gone_at is not None) == (False, True)

    _endpoints(emulator_backend, "us-east-1", {"name": "global-mail", "secondary": "eu-west-2"})
    sync_region(region, trigger="test")
    back = GlobalEndpoint.objects.get()
    assert (back.present, back.gone_at, back.secondary_code) == (True, None, "eu-west-2")
    assert back.endpoint_id != old_id
    events = Event.objects.filter(subject="global_endpoint").order_by("id")
    assert [(e.kind, e.before, e.after) for e in events] == [
        (Event.Kind.ACCOUNT, "READY", "gone"),
        (Event.Kind.ACCOUNT, "gone", "READY"),
    ]
    assert all(e.message.startswith("global-mail: ") and not e.identity_name for e in events)
    assert [event_sentence_for(e) for e in events] == [
        "Global endpoint no longer in SES",
        "Global endpoint in SES (READY)",
    ]


def test_a_status_change_is_an_event(emulator_backend):
    _endpoints(emulator_backend, "us-east-1", {"name": "e1", "secondary": "eu-west-1"})
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    emulator_backend.emu.app.state.region(EMU_ACCOUNT, "us-east-1").endpoints[
        "e1"
    ].pinned = "FAILED"

    run = sync_region(region, trigger="test")

    assert GlobalEndpoint.objects.get().status == "FAILED"
    event = Event.objects.get(subject="global_endpoint")
    assert (event.before, event.after, event.region) == ("READY", "FAILED", region)
    assert event_sentence_for(event) == "Global endpoint READY → FAILED"
    assert run.changes == 1


def test_a_failing_list_keeps_the_endpoints_and_the_identity_sync(fake_ses):
    region = RegionFactory(code="us-east-1")
    ep = MultiRegionEndpoint("global-mail", "abc.def", "READY", "us-east-1", "eu-west-1")
    fake_ses.endpoints["us-east-1"] = [ep]
    fake_ses.identities = [IdentitySummary("ops@example.com", "EMAIL_ADDRESS", True, "SUCCESS")]
    sync_region(region, trigger="test")

    fake_ses.errors["list_multi_region_endpoints"] = SesError(
        "AccessDeniedException",
        "not allowed",
        permanent=True,
        operation="ListMultiRegionEndpoints",
    )
    fake_ses.identities.append(IdentitySummary("new@example.com", "EMAIL_ADDRESS", True, "SUCCESS"))
    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.PARTIAL
    assert "ListMultiRegionEndpoints" in run.error
    assert RegionalIdentity.objects.filter(region=region, present=True).count() == 2
    assert GlobalEndpoint.objects.get().present is True  # last good data kept
    region.refresh_from_db()
    assert "ListMultiRegionEndpoints" in region.endpoints_error
    assert region.last_sync_error == ""  # the identities are fresh: the region is not stale

    del fake_ses.errors["list_multi_region_endpoints"]
    run = sync_region(region, trigger="test")
    region.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert region.endpoints_error == ""


@pytest.mark.parametrize("backend", ["moto"], indirect=True)
def test_moto_has_no_global_endpoints_and_the_identities_still_sync(backend):
    """moto (5.2) does not implement ListMultiRegionEndpoints: the sync says so and goes on."""
    backend.add("us-east-1", "ops@example.com")
    region = region_for(backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.PARTIAL  # moto has no GetAccount either
    assert RegionalIdentity.objects.filter(region=region, present=True).count() == 1
    region.refresh_from_db()
    assert "ListMultiRegionEndpoints" in region.endpoints_error
    assert "ListMultiRegionEndpoints" in run.error
    assert not GlobalEndpoint.objects.exists()


def test_the_demo_shows_one_ready_endpoint_and_one_blocked_by_its_sandbox_secondary(ses_env):
    """`make demo`'s world (emulator/scenarios/demo.yaml), synced: global-mail is ready,
    apac-failover is not, because ap-southeast-2 is in the sandbox."""
    from pathlib import Path

    from emulator import scenario
    from emulator.testing import run_emulator
    from identities.selectors.endpoints import endpoints_for_page
    from regions import ses
    from tests.factories import AwsAccountFactory

    demo = scenario.read(Path(__file__).resolve().parents[3] / "emulator/scenarios/demo.yaml")
    with run_emulator(demo) as emu:
        ses_env.setenv("AWS_ENDPOINT_URL", emu.url)
        ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIAPROD000000000001")
        ses.clear_client_cache()
        prod = AwsAccountFactory(label="prod", account_id="111111111111")
        regions = [
            RegionFactory(account=prod, code=code)
            for code in ("us-east-1", "eu-west-1", "ap-southeast-2")
        ]
        for region in regions:
            sync_region(region, trigger="test")

    views = {v.endpoint.name: v for v in endpoints_for_page(regions)}
    assert views["global-mail"].ready, views["global-mail"].blockers
    assert not views["apac-failover"].ready
    assert "endpoint_sandbox" in [b.code for b in views["apac-failover"].blockers]
