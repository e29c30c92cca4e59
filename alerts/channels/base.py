"""The message a transport sends, built from a delivery, and the dispatch by channel type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from alerts.models import Alert, Channel, Severity


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    key: str  # the idempotency key: the same on every attempt of one delivery
    channel: Channel
    alerts: Sequence[Alert]
    created_at: datetime

    @property
    def worst(self) -> str:
        order = [Severity.INFO, Severity.WARNING, Severity.CRITICAL]
        return max((a.severity for a in self.alerts), key=order.index, default=Severity.INFO)

    @property
    def title(self) -> str:
        if len(self.alerts) == 1:
            alert = self.alerts[0]
            return f"[sesops] {_label(alert)}: {alert.text}"[:250]
        critical = sum(a.severity == Severity.CRITICAL for a in self.alerts)
        extra = f" ({critical} critical)" if critical else ""
        return f"[sesops] {len(self.alerts)} alerts{extra}"

    @property
    def text(self) -> str:
        lines = [f"- {_label(a)}: {a.text}\n  {absolute(a.link)}" for a in self.alerts]
        return "\n".join(lines) + f"\n\nDelivery {self.key}\n"

    def as_json(self) -> dict:
        return {
            "id": self.key,
            "type": "sesops.alerts",
            "created_at": self.created_at.isoformat(),
            "channel": self.channel.name,
            "alerts": [
                {
                    "id": a.pk,
                    "problem_id": a.problem_id,
                    "kind": a.kind,
                    "state": a.state,
                    "severity": a.severity,
                    "text": a.text,
                    "url": absolute(a.link),
                    "account": a.account.label if a.account else "",
                    "region": a.region.code if a.region else "",
                    "identity": a.identity_name,
                    "at": a.created_at.isoformat(),
                }
                for a in self.alerts
            ],
        }


def _label(alert: Alert) -> str:
    if alert.state == Alert.State.RESOLVED:
        return "RESOLVED"
    return alert.severity.upper() + (" (still open)" if alert.state == "reminder" else "")


def absolute(link: str) -> str:
    if not link or "://" in link:
        return link
    return settings.SESOPS_BASE_URL.rstrip("/") + link


def send(message: Message) -> str:
    """Send with the channel's transport; returns a short description of the answer."""
    from alerts.channels import chat, email, webhook

    transport = {
        Channel.Type.WEBHOOK: webhook.send,
        Channel.Type.EMAIL: email.send,
        Channel.Type.APPRISE: chat.send,
    }.get(message.channel.type)
    if transport is None:
        raise TransportError(f"unknown channel type {message.channel.type!r}", permanent=True)
    return transport(message)
