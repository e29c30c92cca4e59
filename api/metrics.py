"""Prometheus metrics read from the database at scrape time (a custom collector).

sesops runs as several gunicorn workers and Celery workers: a process-local counter would
only know its own process. Everything here already lives in the database (sync runs with
their call and throttle counts, regional identities, DNS checks), so each scrape reads it
there: about ten grouped queries, whatever the number of identities.

SES calls are counted from SyncRun rows (each sync and probe records its calls and throttles),
so they are counters that only drop if old SyncRun rows are deleted (Prometheus reads that as
a counter reset). Calls made by user actions (resend, add to region) are not in SyncRun.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.apps import apps
from django.db.models import Count, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from identities.blockers.states import region_state
from identities.models import DnsCheck, Identity, RegionalIdentity
from identities.selectors.blocked import blocked_identities
from identities.selectors.columns import Column
from regions.models import Region, SyncRun

AR = ["account", "region"]


def _regions() -> list[Region]:
    return list(
        Region.objects.select_related("account").filter(account__is_active=True).order_by("pk")
    )


def _labels(region: Region) -> list[str]:
    return [region.account.label, region.code]


def region_metrics(regions: list[Region], now: datetime) -> Iterator[Metric]:
    age = GaugeMetricFamily(
        "sesops_region_last_sync_success_age_seconds",
        "Seconds since the account-region's last successful SES sync (absent: never synced)",
        labels=AR,
    )
    stale = GaugeMetricFamily(
        "sesops_region_stale", "1 when the account-region's data is out of date", labels=AR
    )
    sandbox = GaugeMetricFamily(
        "sesops_region_sandbox", "1 in the SES sandbox, 0 with production access", labels=AR
    )
    sending = GaugeMetricFamily(
        "sesops_region_sending_enabled", "1 when SES sending is enabled", labels=AR
    )
    quota = GaugeMetricFamily(
        "sesops_region_quota_24h", "SES 24-hour sending quota (-1: unlimited)", labels=AR
    )
    sent = GaugeMetricFamily(
        "sesops_region_sent_24h", "Messages sent in the last 24 hours (SES)", labels=AR
    )
    for r in regions:
        labels = _labels(r)
        state = region_state(r, now=now)
        if r.last_success_at is not None:
            age.add_metric(labels, (now - r.last_success_at).total_seconds())
        stale.add_metric(labels, 1 if state.stale else 0)
        if r.in_sandbox is not None:
            sandbox.add_metric(labels, 1 if r.in_sandbox else 0)
        if r.sending_enabled is not None:
            sending.add_metric(labels, 1 if r.sending_enabled else 0)
        if r.max_24_hour_send is not None:
            quota.add_metric(labels, r.max_24_hour_send)
        if r.sent_last_24_hours is not None:
            sent.add_metric(labels, r.sent_last_24_hours)
    yield from (age, stale, sandbox, sending, quota, sent)


def identity_metrics(regions: list[Region], now: datetime) -> Iterator[Metric]:
    by_id = {r.pk: r for r in regions}
    status = GaugeMetricFamily(
        "sesops_identities",
        "Identities SES holds in the account-region, by kind and verification status",
        labels=[*AR, "kind", "verification_status"],
    )
    rows = (
        RegionalIdentity.objects.filter(present=True, region_id__in=by_id)
        .values_list("region_id", "identity__kind", "verification_status")
        .annotate(n=Count("*"))
        .order_by()
    )
    for region_id, kind, verification, n in rows:
        status.add_metric([*_labels(by_id[region_id]), kind, verification or "unknown"], n)
    yield status

    # The grid's own definition of "blocked" (identities.selectors.blocked), over every
    # identity of each region's account: the counts the grid's column headers show.
    columns = [Column(region=r, stale=False, error="") for r in regions if not r.hidden]
    everyone = Identity.objects.filter(account_id__in={c.region.account_id for c in columns})
    blocked_identities(everyone, columns, now, narrowed=False)
    blocked = GaugeMetricFamily(
        "sesops_identities_blocked",
        "Identities that cannot send from the account-region (hidden regions are left out)",
        labels=AR,
    )
    for c in columns:
        blocked.add_metric(_labels(c.region), c.blocked)
    yield blocked


def dns_metrics(regions: list[Region]) -> Iterator[Metric]:
    by_id = {r.pk: r for r in regions}
    checks = GaugeMetricFamily(
        "sesops_dns_records",
        "DNS records SES expects, by the last probe's verdict",
        labels=[*AR, "purpose", "verdict"],
    )
    rows = (
        DnsCheck.objects.filter(
            regional_identity__present=True, regional_identity__region_id__in=by_id
        )
        .values_list("regional_identity__region_id", "purpose", "verdict")
        .annotate(n=Count("*"))
        .order_by()
    )
    for region_id, purpose, verdict, n in rows:
        checks.add_metric([*_labels(by_id[region_id]), purpose, verdict], n)
    yield checks


def run_metrics(regions: list[Region]) -> Iterator[Metric]:
    by_id = {r.pk: r for r in regions}
    runs = CounterMetricFamily(
        "sesops_sync_runs",
        "Sync runs (kind ses) and DNS probes (kind dns) by outcome",
        labels=[*AR, "kind", "status"],
    )
    calls = CounterMetricFamily("sesops_ses_calls", "SES API calls made by syncs", labels=AR)
    throttles = CounterMetricFamily(
        "sesops_ses_throttles", "SES calls answered with a throttling error", labels=AR
    )
    probes = CounterMetricFamily(
        "sesops_dns_probe_queries", "DNS queries made by probes", labels=AR
    )
    rows = (
        SyncRun.objects.filter(region_id__in=by_id)
        .values_list("region_id", "kind", "status")
        .annotate(n=Count("*"), calls=Sum("calls"), throttled=Sum("throttled"))
        .order_by()
    )
    totals: dict[tuple[int, str], list[int]] = {}
    for region_id, kind, status, n, n_calls, n_throttled in rows:
        runs.add_metric([*_labels(by_id[region_id]), kind, status], n)
        total = totals.setdefault((region_id, kind), [0, 0])
        total[0] += n_calls or 0
        total[1] += n_throttled or 0
    for (region_id, kind), (n_calls, n_throttled) in sorted(totals.items()):
        labels = _labels(by_id[region_id])
        if kind == SyncRun.Kind.SES:
            calls.add_metric(labels, n_calls)
            throttles.add_metric(labels, n_throttled)
        else:
            probes.add_metric(labels, n_calls)
    yield from (runs, calls, throttles, probes)


class SesopsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        regions = _regions()
        yield from region_metrics(regions, now)
        yield from identity_metrics(regions, now)
        yield from dns_metrics(regions)
        yield from run_metrics(regions)
        yield from alert_metrics()


def alert_metrics() -> Iterator[Metric]:
    """Alert deliveries per channel and state, from the alerts app's outbox table.

    alerts/ and api/ are independent apps of the same layer (neither imports the other): the
    model comes from Django's app registry, and nothing is reported without the app."""
    if not apps.is_installed("alerts"):
        return
    delivery = apps.get_model("alerts", "Delivery")
    problem = apps.get_model("alerts", "Problem")
    deliveries = GaugeMetricFamily(
        "sesops_alert_deliveries",
        "Alert deliveries (outbox rows) by channel and status",
        labels=["channel", "type", "status"],
    )
    attempts = CounterMetricFamily(
        "sesops_alert_delivery_attempts", "Attempts to deliver alerts", labels=["channel", "type"]
    )
    rows = (
        delivery.objects.values_list("channel__name", "channel__type", "status")
        .annotate(n=Count("*"), tries=Sum("attempts"))
        .order_by()
    )
    tries: dict[tuple[str, str], int] = {}
    for name, kind, status, n, n_tries in rows:
        deliveries.add_metric([name, kind, status], n)
        tries[(name, kind)] = tries.get((name, kind), 0) + (n_tries or 0)
    for (name, kind), n_tries in sorted(tries.items()):
        attempts.add_metric([name, kind], n_tries)
    problems = GaugeMetricFamily(
        "sesops_alert_problems_open", "Open alert problems by kind", labels=["kind"]
    )
    open_rows = problem.objects.filter(resolved_at__isnull=True).values_list("kind")
    for kind, n in open_rows.annotate(n=Count("*")).order_by():
        problems.add_metric([kind], n)
    yield from (deliveries, attempts, problems)


def registry() -> CollectorRegistry:
    """A registry of our own: only sesops' metrics (the default one adds process metrics of
    whichever worker answers, which differ per scrape)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(SesopsCollector())
    return reg
