"""Reads of the alert pages."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from alerts.models import SEVERITY_RANK, Alert, Channel, Delivery, Problem


def open_problems(limit: int = 200) -> list[Problem]:
    """Open problems, worst first, then newest."""
    rows = list(
        Problem.objects.filter(resolved_at__isnull=True)
        .select_related("region__account")
        .order_by("-opened_at", "-id")[:limit]
    )
    return sorted(rows, key=lambda p: -SEVERITY_RANK.get(p.severity, 0))


def channels_overview() -> QuerySet[Channel]:
    since = timezone.now() - timedelta(days=1)
    return Channel.objects.prefetch_related("rules__accounts").annotate(
        sent_24h=Count(
            "deliveries", filter=Q(deliveries__status="sent", deliveries__created_at__gte=since)
        ),
        failed_24h=Count(
            "deliveries", filter=Q(deliveries__status="failed", deliveries__created_at__gte=since)
        ),
    )


def recent_failures() -> int:
    since = timezone.now() - timedelta(days=1)
    return Delivery.objects.filter(status=Delivery.Status.FAILED, created_at__gte=since).count()


def delivery_log(*, status: str = "", channel: int | None = None) -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("channel").prefetch_related(
        Prefetch("alerts", queryset=Alert.objects.order_by("created_at", "id"))
    )
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel_id=channel)
    return rows.order_by("-created_at", "-id")
