"""Region sync against both backends (emulator and moto): the same test, the same code path."""

from __future__ import annotations

import pytest

from identities.models import Identity, RegionalIdentity
from identities.sync.run import sync_region
from regions import ses
from regions.models import Event, Region, SyncRun
from tests.identities.ses_backends import point_at, region_for

pytestmark = pytest.mark.django_db


def _rows(region: Region) -> dict[str, RegionalIdentity]:
    return {
        ri.identity.name: ri
        for ri in RegionalIdentity.objects.filter(region=region).select_related("identity")
    }


def test_it_mirrors_every_identity_on_the_first_sync(backend):
    backend.add("us-east-1", "example.com", "ops@example.com", "someone@example.org")
    region = region_for(backend)

    run = sync_region(region, trigger="test")

    rows = _rows(region)
    assert set(rows) == {"example.com", "ops@example.com", "someone@example.org"}
    assert rows["example.com"].identity.kind == Identity.Kind.DOMAIN
    assert rows["ops@example.com"].identity.kind == Identity.Kind.EMAIL
    assert rows["ops@example.com"].identity.domain == "example.com"
    assert rows["example.com"].verification_token  # legacy TXT token read for the domain
    assert rows["example.com"].details_synced_at is not None  # domain read once in detail
    if backend.name == "emulator":  # moto's GetEmailIdentity returns no DKIM tokens
        assert len(rows["example.com"].dkim_tokens) == 3
    assert run.identities == 3
    assert run.calls > 0
    region.refresh_from_db()
    assert region.last_sync_finished_at is not None
    summary = Event.objects.get(region=region, subject="first_sync")
    assert summary.after == "3"
    if backend.name == "moto":
        # moto has no GetAccount: identities still sync, the account error is recorded.
        assert run.status == SyncRun.Status.PARTIAL
        assert "GetAccount" in region.account_error
        assert region.production_access_enabled is None
        assert region.last_success_at is not None
    else:
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        assert region.production_access_enabled is True
        assert region.account_error == ""


@pytest.mark.parametrize("backend", ["moto"], indirect=True)
def test_it_syncs_identities_when_get_account_is_unavailable(backend):
    backend.add("us-east-1", "ops@example.com")
    region = region_for(backend)

    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.PARTIAL
    assert set(_rows(region)) == {"ops@example.com"}
    region.refresh_from_db()
    assert region.account_error
    assert region.last_sync_error == ""  # the identity data is fresh, not stale


def test_it_marks_an_identity_deleted_in_ses_as_gone(backend):
    backend.add("us-east-1", "example.com", "ops@example.com")
    region = region_for(backend)
    sync_region(region, trigger="test")

    backend.delete("us-east-1", "ops@example.com")
    run = sync_region(region, trigger="test")

    gone = _rows(region)["ops@example.com"]
    assert gone.present is False
    assert gone.gone_at is not None
    assert _rows(region)["example.com"].present is True
    event = Event.objects.get(region=region, identity_name="ops@example.com", subject="present")
    assert (event.before, event.after) == ("present", "gone")
    assert run.changes == 1
    region.refresh_from_db()
    assert region.changed_at == gone.changed_at


def test_it_reads_more_than_1000_identities_over_pages(backend):
    names = [f"user{i:04d}@example.com" for i in range(1003)]
    backend.seed_verified("us-east-1", names)
    region = region_for(backend)

    run = sync_region(region, trigger="test")

    assert run.identities == 1003, run.error
    assert RegionalIdentity.objects.filter(region=region, present=True).count() == 1003
    # GetAccount + ListMultiRegionEndpoints + 2 pages + 11 MAIL FROM batches; verified
    # addresses cost no other call.
    assert run.calls == 1 + 1 + 2 + 11


def test_a_partial_listing_deletes_nothing(backend, monkeypatch):
    backend.add("us-east-1", *[f"user{i}@example.com" for i in range(5)])
    monkeypatch.setattr(ses, "LIST_PAGE_SIZE", 2)  # five identities, three pages
    region = region_for(backend)
    sync_region(region, trigger="test")
    assert len(_rows(region)) == 5

    real_call = ses.SesClient._call

    def second_page_fails(self, version, operation, **params):
        if operation == "list_email_identities" and params.get("NextToken"):
            raise ses.SesError("InternalFailure", "page lost", permanent=False, http_status=500)
        return real_call(self, version, operation, **params)

    monkeypatch.setattr(ses.SesClient, "_call", second_page_fails)
    backend.delete("us-east-1", "user0@example.com")
    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.FAILED
    assert all(ri.present for ri in _rows(region).values())
    assert not Event.objects.filter(region=region, subject="present").exists()
    region.refresh_from_db()
    assert "page lost" in region.last_sync_error
    assert region.is_stale()


def test_a_region_that_cannot_be_reached_keeps_its_last_data(backend, ses_env):
    from emulator.testing import free_port

    backend.add("us-east-1", "ops@example.com")
    region = region_for(backend)
    sync_region(region, trigger="test")
    before = _rows(region)["ops@example.com"]

    ses_env.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    ses.clear_client_cache()
    run = sync_region(region, trigger="test")

    assert run.status == SyncRun.Status.FAILED
    after = _rows(region)["ops@example.com"]
    assert after.present is True
    assert after.verification_status == before.verification_status
    assert after.synced_at == before.synced_at
    region.refresh_from_db()
    assert "could not be reached" in region.last_sync_error
    assert region.last_sync_error_at is not None
    assert region.is_stale()
    failure = Event.objects.get(region=region, kind=Event.Kind.SYNC_ERROR)
    assert failure.result == Event.Result.ERROR

    point_at(ses_env, backend)
    run = sync_region(region, trigger="test")
    assert run.status in {SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL}
    region.refresh_from_db()
    assert region.last_sync_error == ""
    assert Event.objects.filter(region=region, kind=Event.Kind.SYNC_ERROR, result="ok").exists()


def _models_built(monkeypatch) -> list[str]:
    """Names of the RegionalIdentity rows read back as model instances from now on."""
    built: list[str] = []
    from_db = RegionalIdentity.from_db

    def counting(cls, db, field_names, values):
        ri = from_db.__func__(cls, db, field_names, values)
        built.append(ri.identity.name)
        return ri

    monkeypatch.setattr(RegionalIdentity, "from_db", classmethod(counting))
    return built


def test_a_resync_builds_model_rows_only_for_the_identities_that_moved(
    emulator_backend, monkeypatch
):
    backend = emulator_backend
    backend.add("us-east-1", "example.com", "ops@example.com", "team@example.com")
    region = region_for(backend)
    sync_region(region, trigger="test")
    backend.set_status("us-east-1", "team@example.com", "SUCCESS")  # the others stay
    before = _rows(region)
    built = _models_built(monkeypatch)

    run = sync_region(region, trigger="test")

    assert sorted(built) == ["team@example.com"]
    after = {
        r.identity.name: r
        for r in RegionalIdentity.objects.filter(region=region).select_related("identity")
    }
    assert after["team@example.com"].verification_status == "SUCCESS"
    assert after["team@example.com"].changed_at > before["team@example.com"].changed_at
    assert after["ops@example.com"].changed_at == before["ops@example.com"].changed_at
    # Every listed row is stamped as seen, built or not.
    assert all(r.synced_at > before[name].synced_at for name, r in after.items())
    events = Event.objects.filter(region=region, created_at__gte=run.started_at)
    assert {e.identity_name for e in events} == {"team@example.com"}  # status, sending

    built.clear()
    sync_region(region, trigger="test")  # nothing moved since

    assert built == []


def test_a_row_with_no_blocking_flag_yet_is_flagged_by_the_next_sync(emulator_backend):
    backend = emulator_backend
    backend.add("us-east-1", "ops@example.com")
    region = region_for(backend)
    sync_region(region, trigger="test")
    RegionalIdentity.objects.filter(region=region).update(blocking=None)

    sync_region(region, trigger="test")

    assert RegionalIdentity.objects.get(region=region).blocking is True  # still PENDING


def test_the_snapshot_keeps_only_the_mail_from_answers_that_name_a_domain(
    emulator_backend, monkeypatch
):
    from identities.sync import run as run_module

    backend = emulator_backend
    backend.add("us-east-1", "example.com", "ops@example.com")
    backend.client("sesv2", "us-east-1").put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="bounce.example.com"
    )
    region = region_for(backend)
    sync_region(region, trigger="test")  # the domain is read in detail on its first sync
    snapshots = []
    real_read = run_module.read_region
    monkeypatch.setattr(
        run_module,
        "read_region",
        lambda *a, **kw: snapshots.append(real_read(*a, **kw)) or snapshots[-1],
    )

    sync_region(region, trigger="test")

    (snap,) = snapshots
    assert snap.mail_from_answered("example.com") and snap.mail_from_answered("ops@example.com")
    assert set(snap.mail_from) == {"example.com"}  # the address has none: not kept
    rows = _rows(region)
    assert rows["example.com"].mail_from_domain == "bounce.example.com"
    assert (rows["ops@example.com"].mail_from_domain, rows["ops@example.com"].mail_from_status) == (
        "",
        "",
    )


WORLD = [
    "a@verified.example",  # listed before its domain: inserted after it all the same
    "verified.example",
    "b@verified.example",
    "pending.example",
    "c@pending.example",
    "d@elsewhere.example",
    "e@verified.example",
]


def _world(backend, code: str) -> None:
    backend.add(code, *WORLD)
    backend.set_status(code, "verified.example", "SUCCESS")
    backend.set_status(code, "b@verified.example", "SUCCESS")
    backend.set_status(code, "d@elsewhere.example", "FAILED")


def _looks(region: Region) -> dict[str, tuple]:
    return {
        name: (ri.blocking, ri.verification_status, ri.verified_for_sending, ri.present)
        for name, ri in _rows(region).items()
    }


def test_new_rows_inserted_a_few_at_a_time_are_the_rows_inserted_at_once(
    emulator_backend, monkeypatch
):
    from identities.sync import rows as rows_module

    _world(emulator_backend, "us-east-1")
    _world(emulator_backend, "eu-west-1")
    at_once = region_for(emulator_backend, "us-east-1")
    sync_region(at_once, trigger="test")
    monkeypatch.setattr(rows_module, "_CREATE_CHUNK", 2)
    chunked = region_for(emulator_backend, "eu-west-1")

    run = sync_region(chunked, trigger="test")

    assert run.identities == 7
    assert _looks(chunked) == _looks(at_once)
    assert len(_looks(chunked)) == 7
    assert all(blocking is not None for blocking, *_ in _looks(chunked).values())
    summary = Event.objects.get(region=chunked, subject="first_sync")
    assert summary.after == "7"
    assert not Event.objects.filter(region=chunked, subject="present").exists()


def test_identities_new_after_the_first_sync_each_get_an_arrival_event(
    emulator_backend, monkeypatch
):
    from identities.sync import rows as rows_module

    emulator_backend.add("us-east-1", "ops@verified.example")
    region = region_for(emulator_backend, "us-east-1")
    sync_region(region, trigger="test")
    monkeypatch.setattr(rows_module, "_CREATE_CHUNK", 2)
    emulator_backend.add("us-east-1", "verified.example", "x@verified.example", "y@other.example")
    emulator_backend.set_status("us-east-1", "verified.example", "SUCCESS")

    sync_region(region, trigger="test")

    arrivals = Event.objects.filter(region=region, subject="present", before="")
    assert sorted(arrivals.values_list("identity_name", flat=True)) == [
        "verified.example",
        "x@verified.example",
        "y@other.example",
    ]
    assert set(_rows(region)) == {
        "ops@verified.example",
        "verified.example",
        "x@verified.example",
        "y@other.example",
    }
