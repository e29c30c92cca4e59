"""Writes of the alert pages: keyword-only, audited (an `action` event per change)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from alerts import routing
from alerts.forms import ChannelForm, RuleForm
from alerts.models import Alert, Channel, Delivery, Kind, Rule, Severity, new_webhook_secret
from regions.events import record_event


def _audit(actor, subject: str, message: str) -> None:
    record_event(kind="action", actor=actor, subject=subject, result="ok", message=message)


@transaction.atomic
def channel_save(*, form: ChannelForm, actor) -> Channel:
    created = form.instance.pk is None
    channel = form.save()
    verb = "added" if created else "changed"
    _audit(actor, "alert channel", f"Alert channel {channel.name} ({channel.type}) {verb}.")
    if created:
        # A new channel gets everything from warning up until someone narrows it.
        Rule.objects.create(channel=channel, min_severity=Severity.WARNING)
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel, actor) -> None:
    _audit(actor, "alert channel", f"Alert channel {channel.name} deleted.")
    channel.delete()


@transaction.atomic
def channel_rotate_secret(*, channel: Channel, actor) -> Channel:
    channel.secret = new_webhook_secret()
    channel.save(update_fields=["secret"])
    _audit(actor, "alert channel", f"Webhook secret of {channel.name} replaced.")
    return channel


@transaction.atomic
def rule_save(*, form: RuleForm, actor) -> Rule:
    created = form.instance.pk is None
    rule = form.save()
    verb = "added to" if created else "changed on"
    _audit(actor, "alert rule", f"Alert rule {rule.pk} {verb} {rule.channel.name}.")
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, actor) -> None:
    _audit(actor, "alert rule", f"Alert rule {rule.pk} of {rule.channel.name} deleted.")
    rule.delete()


@transaction.atomic
def send_test_alert(*, channel: Channel, actor) -> Delivery:
    """A test message to one channel, whatever its rules say, through the same outbox."""
    now = timezone.now()
    who = actor.get_username() if actor else "sesops"
    alert = Alert.objects.create(
        kind=Kind.TEST,
        state=Alert.State.TEST,
        severity=Severity.INFO,
        created_at=now,
        text=f"Test alert from sesops, sent by {who}: if you read this, {channel.name} works.",
        link="/alerts/",
    )
    delivery = Delivery.objects.create(channel=channel, created_at=now, due_at=now)
    delivery.alerts.add(alert)
    _audit(actor, "alert test", f"Test alert queued for {channel.name}.")
    routing.enqueue_on_commit([delivery.pk])
    return delivery
