"""Chat and paging services through Apprise (Slack, Teams, Mattermost, Discord, PagerDuty,
Opsgenie, ... one URL each): maintained clients instead of hand-written ones."""

from __future__ import annotations

import logging

import apprise

from alerts.channels.base import Message, TransportError

_TYPES = {"critical": apprise.NotifyType.FAILURE, "warning": apprise.NotifyType.WARNING}


def check_url(url: str) -> bool:
    return apprise.Apprise().add(url)


def send(message: Message) -> str:
    sender = apprise.Apprise()
    if not sender.add(message.channel.target):
        raise TransportError("Apprise does not understand this URL", permanent=True)
    # Apprise answers True/False and logs why: keep its words for the delivery log.
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(
            title=message.title,
            body=message.text,
            notify_type=_TYPES.get(message.worst, apprise.NotifyType.INFO),
        )
        detail = captured.getvalue().strip()
    if not ok:
        # Apprise does not say whether a failure is lasting: retry (bounded by max attempts).
        raise TransportError(detail[-300:] or "the service did not accept it", permanent=False)
    return "accepted"
