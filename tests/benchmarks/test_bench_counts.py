"""The benchmarks at CI size (small N), so they cannot rot: only call counts and query
counts are asserted, never times (the full run is `python -m benchmarks`)."""

from __future__ import annotations

import pytest

from benchmarks import dashboard_bench, data, sync_bench, world
from benchmarks.naive_sync import naive_sync
from emulator.testing import run_emulator
from regions import ses


@pytest.fixture
def sync_report(db, monkeypatch):
    # run() points boto3 at the emulator through these; monkeypatch restores them after.
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "unset")
    report = sync_bench.run(
        n_regions=2,
        n=200,
        rps=0,  # no pacing: counts do not depend on the rate
        burst=1,
        naive_regions=0,
        emulator=run_emulator,
        parallel=False,  # one thread: the test's transaction is visible to every sync
        log=lambda line: None,
    )
    yield report
    ses.clear_client_cache()


def test_first_sync_stays_within_5_percent_of_the_api_floor(sync_report):
    first = sync_report.first
    assert first.floor == 2 * world.floor_per_region(200).first
    assert first.calls <= 1.05 * first.floor
    assert first.throttled_seen == 0 and first.surfaced == 0
    assert first.statuses == {"succeeded": 2}
    assert sync_report.data_check.startswith("ok (400 regional identities")
    text = "\n".join(sync_bench.report_lines(sync_report))
    assert world.FLOOR_FORMULA in text
    assert "target ≤ 1.05" in text and "target ≤ 1.2" in text


def test_resync_with_nothing_changed_costs_only_list_and_batch_calls(sync_report):
    resync = sync_report.resync
    assert resync.floor == 2 * world.floor_per_region(200).resync
    assert resync.calls <= 1.05 * resync.floor
    assert set(resync.by_operation) <= sync_bench.SYNC_OPERATIONS | sync_bench.BATCH_OPERATIONS
    assert resync.statuses == {"succeeded": 2}


def test_naive_sync_makes_one_call_per_identity():
    codes = world.regions(2)
    with run_emulator(world.scenario(codes, 50, 0, 1)) as emu:
        result = naive_sync(emu.url, codes, rps=0)
        stats = world.read_stats(emu)
    assert result.identities == 100 and result.errors == 0
    # Per region: GetAccount + 1 list page + 50 GetEmailIdentity.
    assert stats.by_region == {codes[0]: 52, codes[1]: 52}
    assert stats.by_operation["GetEmailIdentity"] == 100


def _query_counts(client, n: int) -> dict[str, int]:
    ds = data.generate(n, n_regions=4)
    return {
        name: dashboard_bench.measure(client, name, url, runs=1, **headers).queries
        for name, url, headers in dashboard_bench.requests_for(client, ds)
    }


def test_dashboard_query_count_does_not_grow_with_identities(db, client):
    client.force_login(dashboard_bench.bench_user())
    small = _query_counts(client, 40)
    large = _query_counts(client, 160)
    assert small == large
    assert set(small) == {
        "grid, first page",
        "grid, blocking only",
        "grid, blocking only (htmx filter)",
        "identity page",
        "API identities, first page",
        "API identities, blocked only",
        "API one identity",
        "live refresh, nothing changed",
    }


def test_live_refresh_with_nothing_changed_answers_204(db, client):
    client.force_login(dashboard_bench.bench_user())
    ds = data.generate(30, n_regions=2)
    name, url, headers = dashboard_bench.requests_for(client, ds)[-1]
    assert dashboard_bench.measure(client, name, url, runs=1, **headers).status == 204


def test_data_generator_loads_every_cell_but_the_absent_ones(db):
    ds = data.generate(100, n_regions=5)
    cells = sum(
        1 for i in range(100) for r in range(5) if (i * 31 + r * 7) % data.ABSENT_EVERY != 0
    )
    assert (ds.identities, ds.regions, ds.regional) == (100, 5, cells)


def test_endpoint_section_query_count_and_size_do_not_grow_with_identities(db):
    from benchmarks import endpoints_bench

    # Both have more than 50 identities that cannot send: 50 listed, the rest counted.
    small, large = (endpoints_bench.measure(n, runs=1) for n in (600, 1200))

    assert (small.total, large.total) == (600, 1200)
    assert 0 < small.ready < small.total and 0 < large.ready < large.total
    assert large.queries == small.queries
    assert large.bytes < small.bytes * 1.05
