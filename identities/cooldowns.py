"""The resend cooldown: one verification email per address per SESOPS_RESEND_COOLDOWN seconds,
whoever clicks, kept in the cache (Redis) with the audit log as its fallback."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from identities.models import Identity
from regions.models import Event

log = logging.getLogger(__name__)


def resend_key(identity_pk: int) -> str:
    return f"sesops:resend-verification:{identity_pk}"


def claim(identity: Identity, key: str, cooldown: int) -> float | None:
    """Claim this address's send slot: None when claimed, else when the last send was.

    cache.add is atomic: of two clicks (or two users), only one gets to send. With the cache
    unreachable (Redis down) the audit log answers instead: a send recorded within the
    cooldown refuses, so a dead cache neither breaks the button nor floods the mailbox."""
    try:
        if cache.add(key, time.time(), timeout=cooldown):
            return None
        sent = cache.get(key)
        return float(sent) if isinstance(sent, (int, float)) else time.time()
    except Exception:  # the cache backend's own errors (redis.ConnectionError, ...)
        log.warning("cache unreachable: resend cooldown read from the audit log", exc_info=True)
    return _last_send_in_log(identity, cooldown)


def seconds_left(identity: Identity, cooldown: int) -> int:
    """Seconds until the next verification email may go out (0: now). Reads, never claims:
    the page greys out the button with a countdown; the click still goes through claim()."""
    if not cooldown:
        return 0
    try:
        sent = cache.get(resend_key(identity.pk))
        sent = float(sent) if isinstance(sent, (int, float)) else None
    except Exception:  # unreachable cache: the audit log knows the last send too
        sent = _last_send_in_log(identity, cooldown)
    if sent is None:
        return 0
    return max(0, min(cooldown, int(cooldown - (time.time() - sent))))


def _last_send_in_log(identity: Identity, cooldown: int) -> float | None:
    since = timezone.now() - timedelta(seconds=cooldown)
    last = (
        Event.objects.filter(
            kind=Event.Kind.ACTION,
            identity_name=identity.name,
            account=identity.account,
            subject="resend_verification",
            result=Event.Result.OK,
            created_at__gte=since,
        )
        .values_list("created_at", flat=True)
        .first()
    )
    return last.timestamp() if last else None


def release(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # unreachable cache: nothing was stored there either
        log.warning("cache unreachable: resend cooldown not released", exc_info=True)


def wait_message(sent: float, cooldown: int) -> str:
    wait = cooldown - int(time.time() - sent)
    wait = max(1, min(wait, cooldown))
    minutes, seconds = divmod(wait, 60)
    when = " ".join(
        p for p in (f"{minutes} min" if minutes else "", f"{seconds} s" if seconds else "") if p
    )
    return (
        "A verification email was sent moments ago: to protect the mailbox, the next one can "
        f"be sent in {when}. Check the inbox and the spam folder first."
    )
