"""The Celery app: settings come from Django's (CELERY_* names); beat fans out the syncs."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

from config.worker_memory import limit_malloc_arenas

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _fewer_malloc_arenas(**_: object) -> None:
    limit_malloc_arenas()  # before the pool's threads start (config/worker_memory.py)


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    # Beat only enqueues the fan-out; the work runs in workers, one task per account-region.
    sender.add_periodic_task(
        float(settings.SESOPS_SYNC_INTERVAL),
        sender.signature("identities.tasks.sync_all_regions"),
        name="sync every account-region",
    )
    sender.add_periodic_task(
        float(settings.SESOPS_DNS_INTERVAL),
        sender.signature("identities.tasks.probe_dns_task"),
        name="probe DNS of every domain",
    )
    # Alerts: outbox rows nobody is sending, digests due, time-based conditions, re-alerts.
    sender.add_periodic_task(
        float(settings.SESOPS_ALERT_SWEEP_INTERVAL),
        sender.signature("alerts.tasks.sweep_task"),
        name="alerts sweep",
    )
