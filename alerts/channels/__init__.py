"""Transports: each sends one message and raises `TransportError(permanent=...)` on failure.

Only transient errors are retried (the healthchecks way): a refused address or a 404 will
not heal by itself, a timeout or a 503 may."""

from __future__ import annotations

from alerts.channels.base import Message, TransportError, send

__all__ = ["Message", "TransportError", "send"]
