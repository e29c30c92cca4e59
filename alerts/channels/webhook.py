"""Signed JSON webhooks, in the Standard Webhooks format (standardwebhooks.com), so any of
its verifying libraries works on the receiving side:

- `webhook-id`: the delivery's idempotency key (also sent as `Idempotency-Key`),
- `webhook-timestamp`: Unix seconds of this attempt,
- `webhook-signature`: `v1,` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), the key
  being the base64 part of the channel's `whsec_...` secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import requests
from django.conf import settings

from alerts.channels.base import Message, TransportError

# Worth another try: the receiver may be restarting, overloaded or rate limiting us.
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


def secret_bytes(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw.encode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, body: bytes, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "sesops-alerts",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "Idempotency-Key": msg_id,
    }


def send(message: Message) -> str:
    body = json.dumps(message.as_json(), separators=(",", ":")).encode()
    headers = signed_headers(message.channel.secret, message.key, body)
    try:
        response = requests.post(
            message.channel.target,
            data=body,
            headers=headers,
            timeout=settings.SESOPS_ALERT_HTTP_TIMEOUT,
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise TransportError(f"timed out: {exc}", permanent=False) from exc
    except requests.ConnectionError as exc:
        raise TransportError(f"cannot connect: {exc}", permanent=False) from exc
    except requests.RequestException as exc:  # bad URL, bad scheme...
        raise TransportError(f"cannot send: {exc}", permanent=True) from exc
    answer = f"HTTP {response.status_code}"
    if 200 <= response.status_code < 300:
        return answer
    detail = f"{answer}: {response.text[:200]}".strip()
    raise TransportError(detail, permanent=response.status_code not in TRANSIENT_STATUS)
