"""Celery tasks: thin wrappers. Ids in; the outbox row is claimed in the database."""

from __future__ import annotations

from celery import shared_task

from alerts import delivery, sweep


@shared_task(name="alerts.tasks.deliver_task", acks_late=True, ignore_result=True)
def deliver_task(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)


@shared_task(name="alerts.tasks.sweep_task", ignore_result=True)
def sweep_task() -> dict[str, int]:
    return sweep.sweep()
