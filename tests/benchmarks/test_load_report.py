"""The load script's figures: percentiles, errors named per endpoint, and a bounded run."""

from __future__ import annotations

import pytest

from benchmarks import load


def test_the_report_prints_throughput_percentiles_errors_and_the_syncs_change():
    results = load.Results()
    for ms in range(1, 101):
        results.add("grid page", float(ms), None)
    results.add("live refresh", 5.0, "HTTP 500")
    text = load.report(
        results,
        10.0,
        {"wall": 10.0, "status": "succeeded"},
        {"wall": 11.0, "status": "succeeded"},
        clients=20,
    )
    assert "throughput 10.1 req/s (101 requests), errors 1" in text
    assert "p50     50 ms  p99     99 ms" in text
    assert "(target p99 < 300 ms at 20 clients: ok)" in text
    assert "machine load average (1 min)" in text
    assert "e.g. HTTP 500" in text
    assert "alone 10.0 s (succeeded), under load 11.0 s (succeeded), +10 %" in text


@pytest.mark.parametrize("argv", [["--seconds", "0"], ["--clients", "1000"]])
def test_the_run_is_bounded(argv):
    with pytest.raises(SystemExit):
        load.parse(argv)


def test_a_grid_p99_over_the_target_is_reported_missed():
    results = load.Results()
    for ms in (100.0, 350.0):
        results.add("grid page", ms, None)
    text = load.report(results, 1.0, {}, {}, clients=20)
    assert "p99    350 ms" in text and "at 20 clients: MISSED)" in text
