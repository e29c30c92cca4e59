"""Celery task for the DNS probe: thin, calls the service. Beat schedules it (config/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from identities.dns.service import probe_all


@shared_task(
    name="identities.tasks_dns.probe_dns_task",
    bind=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def probe_dns_task(self, domains: list[str] | None = None, trigger: str = "beat") -> str:
    """Probe every domain identity (or `domains`). A probe only reads DNS and upserts its own
    rows, so a duplicate delivery repeats harmless work; no lock is needed."""
    outcome = probe_all(domains=domains, trigger=trigger, task_id=self.request.id or "")
    return outcome.run.status
