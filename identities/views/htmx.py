"""How a view tells an htmx request for part of a page from a full page load.

Every view that answers htmx takes an HtmxHttpRequest (django-htmx's middleware sets
`request.htmx` on every request) and asks `partial_request` (NetBox's `htmx_partial()`).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for type checkers."""

    htmx: HtmxDetails


def partial_request(request: HtmxHttpRequest) -> bool:
    """An htmx request that wants only the part that changes (a boosted one wants the page)."""
    return bool(request.htmx) and not request.htmx.boosted
