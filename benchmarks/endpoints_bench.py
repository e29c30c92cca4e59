"""The regions page's global-endpoint section at scale: one READY endpoint over two regions
holding N identities each (benchmarks/data.py's mix), timed on its own and as the page.

    python -m benchmarks.endpoints_bench [--sizes 1000,10000] [--runs 7]

Printed per N: the section's reads and judgement (`endpoints_for_page`, median wall and CPU
ms), the whole regions page through Django's test Client (median wall and CPU ms, SQL
queries, bytes), and what the section says (identities that can send / in all). The page
should cost about the same at every N: its queries a fixed number, its size bounded.

Database: SESOPS_BENCH_DATABASE_URL (default .../sesops_bench), wiped like the others.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import configure


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    fn()  # warm-up
    wall, cpu, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.thread_time()
        out = fn()
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    return statistics.median(wall), statistics.median(cpu), out


@dataclass
class EndpointsMeasure:
    n: int
    ready: int  # identities that can send through the endpoint
    total: int
    section_ms: float
    section_cpu_ms: float
    page_ms: float
    page_cpu_ms: float
    queries: int
    bytes: int


def measure(n: int, runs: int) -> EndpointsMeasure:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks import data
    from benchmarks.dashboard_bench import bench_user
    from identities.selectors.endpoints import endpoints_for_page
    from regions.models import GlobalEndpoint, Region

    data.generate(n, n_regions=2)
    primary, secondary = Region.objects.select_related("account").order_by("pk")
    GlobalEndpoint.objects.create(
        primary=primary,
        secondary_code=secondary.code,
        name="bench",
        endpoint_id="b.x",
        status="READY",
    )
    regions = list(Region.objects.select_related("account").order_by("pk"))
    sec_ms, sec_cpu, views = _timed(lambda: endpoints_for_page(regions), runs)
    client = Client()
    client.force_login(bench_user())
    url = reverse("regions")
    page_ms, page_cpu, _ = _timed(lambda: client.get(url), runs)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    if resp.status_code != 200:
        raise RuntimeError(f"GET {url} answered {resp.status_code}")
    v = views[0]
    return EndpointsMeasure(
        n, v.ready_count, v.total, sec_ms, sec_cpu, page_ms, page_cpu,
        len(ctx.captured_queries), len(resp.content),
    )  # fmt: skip


def report_lines(m: EndpointsMeasure) -> list[str]:
    return [
        f"N={m.n:>6} x 2 regions: {m.ready} of {m.total} identities can send through it",
        f"  section (endpoints_for_page): {m.section_ms:8.1f} ms wall, "
        f"{m.section_cpu_ms:8.1f} ms CPU",
        f"  regions page:                 {m.page_ms:8.1f} ms wall, {m.page_cpu_ms:8.1f} ms CPU, "
        f"{m.queries} queries, {m.bytes:,} bytes",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    configure()
    from django.conf import settings

    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # as dashboard_bench
    for n in (int(x) for x in args.sizes.split(",")):
        print("\n".join(report_lines(measure(n, args.runs))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
