"""API token services: create (the secret is returned once), revoke, and authenticate.

A token reads `sesops_<43 url-safe characters>`: 256 random bits. Only its SHA-256 is stored,
so a database dump grants nothing; authentication hashes what the client sent and looks the
digest up (one indexed query).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from regions import events
from regions.models import Event

TOKEN_PREFIX = "sesops_"
SHOWN_PREFIX = 12  # characters kept in clear (TOKEN_PREFIX + 5 of the secret)
# last_used_at is written at most this often per token: a busy client does not turn every
# read into a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, to show once


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(
    *,
    user: AbstractBaseUser,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
) -> NewToken:
    """A new token for `user`; `secret` is the only copy of the token in clear."""
    if scope not in ApiToken.Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:64] or "token",
            prefix=secret[:SHOWN_PREFIX],
            digest=digest_of(secret),
            scope=scope,
            expires_at=expires_at,
        )
        events.record_event(
            kind=Event.Kind.ACTION,
            actor=user,
            subject="api_token_create",
            result=Event.Result.OK,
            message=f"API token “{token.name}” ({token.prefix}…, scope {scope}) created",
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s tokens (idempotent); None when the user holds no such token."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None or token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        events.record_event(
            kind=Event.Kind.ACTION,
            actor=user,
            subject="api_token_revoke",
            result=Event.Result.OK,
            message=f"API token “{token.name}” ({token.prefix}…) revoked",
        )
    return token


def token_authenticate(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token this secret belongs to, with its active user; None otherwise.

    Stamps last_used_at (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), user__is_active=True)
        .first()
    )
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
