"""How a view tells an htmx request for part of a page from a full page load."""

from __future__ import annotations

from django.http import HttpRequest


def partial_request(request: HttpRequest) -> bool:
    """An htmx request that wants only the part that changes (a boosted one wants the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted
