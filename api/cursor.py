"""Opaque cursors for keyset pagination: the sort key of the last row, base64url JSON.

A keyset (WHERE (a, b) > (last a, last b)) costs the same on page 1 and page 1,000, and a row
inserted while a client pages does not shift the rows it has not read yet (OFFSET would)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from ninja.errors import HttpError


def encode(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


INVALID = "Invalid cursor: pass the next_cursor of a previous page."


def decode(cursor: str, shape: tuple[type, ...]) -> tuple[Any, ...]:
    """The key a cursor holds, checked against `shape` (the type of each part); 400 if bad."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise HttpError(400, INVALID) from None
    if (
        not isinstance(key, list)
        or len(key) != len(shape)
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape, strict=True)
        )
    ):
        raise HttpError(400, INVALID)
    return tuple(key)


def aware_time(text: str) -> datetime:
    """A cursor's ISO timestamp (with its offset); 400 if it is anything else."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise HttpError(400, INVALID) from None
    if when.tzinfo is None:
        raise HttpError(400, INVALID)
    return when
