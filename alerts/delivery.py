"""Send one outbox row: claim it with a lease, send outside any transaction, record the answer.

A worker killed mid-send leaves the row `sending` with a lease; when the lease runs out the
sweep hands it to another worker, which sends it again under the same idempotency key (the
receiver drops the second copy). Transient errors come back with exponential backoff; a
permanent error, or the last attempt, leaves the row `failed` with the error for the log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from alerts.channels import Message, TransportError, send
from alerts.models import Delivery

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base, 2x, 4x... capped at an hour."""
    base = settings.SESOPS_ALERT_RETRY_BASE
    return timedelta(seconds=min(3600.0, base * 2 ** max(0, attempts - 1)))


def claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take a due row (pending, or sending with an expired lease). None: not ours to send."""
    lease = now + timedelta(seconds=settings.SESOPS_ALERT_LEASE)
    taken = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING, due_at__lte=now)
            | Q(status=Delivery.Status.SENDING, lease_until__lte=now)
        )
        .update(
            status=Delivery.Status.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if not taken:
        return None
    return Delivery.objects.select_related("channel").get(pk=delivery_id)


def message_for(delivery: Delivery) -> Message:
    alerts = list(delivery.alerts.select_related("account", "region").order_by("created_at", "id"))
    return Message(
        key=str(delivery.key),
        channel=delivery.channel,
        alerts=alerts,
        created_at=delivery.created_at,
    )


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """One attempt. Returns the row's new status (or "skipped" when not claimed)."""
    delivery = claim(delivery_id, now or timezone.now())
    if delivery is None:
        return "skipped"
    if not delivery.channel.enabled:
        return _finish(delivery, Delivery.Status.FAILED, error="the channel is disabled")
    try:
        answer = send(message_for(delivery))
    except TransportError as exc:
        return _failed(delivery, str(exc), permanent=exc.permanent)
    except Exception as exc:  # a bug in a transport: visible in the log, retried like a fault
        log.exception("alert delivery %s crashed", delivery.pk)
        return _failed(delivery, f"{type(exc).__name__}: {exc}", permanent=False)
    return _finish(delivery, Delivery.Status.SENT, response=answer)


def _failed(delivery: Delivery, error: str, *, permanent: bool) -> str:
    last = delivery.attempts >= settings.SESOPS_ALERT_MAX_ATTEMPTS
    if permanent or last:
        why = "permanent error" if permanent else f"gave up after {delivery.attempts} attempts"
        log.error(
            "alert delivery %s to %s failed (%s): %s", delivery.pk, delivery.channel, why, error
        )
        return _finish(delivery, Delivery.Status.FAILED, error=f"{why}: {error}")
    wait = backoff(delivery.attempts)
    status = _finish(delivery, Delivery.Status.PENDING, error=error, due_at=timezone.now() + wait)
    from alerts.tasks import deliver_task

    try:
        deliver_task.apply_async(args=[delivery.pk], countdown=wait.total_seconds(), retry=False)
    except Exception as exc:  # broker down: the sweep picks the row up when it is due
        log.warning("cannot schedule the retry of delivery %s: %s", delivery.pk, exc)
    return status


def _finish(
    delivery: Delivery,
    status: str,
    *,
    error: str = "",
    response: str = "",
    due_at: datetime | None = None,
) -> str:
    fields: dict = {"status": status, "lease_until": None}
    if status == Delivery.Status.SENT:
        fields.update(sent_at=timezone.now(), response=response[:300], last_error="")
    else:
        fields["last_error"] = error[:4000]
    if due_at is not None:
        fields["due_at"] = due_at
    # Only while the row is still ours (sending); a row another worker finished stays so.
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**fields)
    return status
