"""Strict reading of query parameters: a malformed one is a 400 with a message, never a 500.

Views read parameters with these helpers; a bad value raises BadParameter, which
BadParameterMiddleware turns into the 400 page (or, for htmx, the message alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses or reads
# in another script. 18 digits stay inside a PostgreSQL bigint.
_ID = re.compile(r"[0-9]{1,18}")
# NUL is refused by PostgreSQL in text; other C0 controls are never part of a name or a filter.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def query_id(params: Mapping[str, str], name: str) -> int | None:
    """An optional row id (`?region=12`); empty means none."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not _ID.fullmatch(value):
        raise BadParameter(name, f"{value[:40]!r} is not an id (up to 18 digits 0-9)")
    return int(value)


def query_text(params: Mapping[str, str], name: str, max_length: int) -> str:
    """A free-text filter, trimmed to `max_length`; control characters are refused."""
    value = (params.get(name) or "").strip()
    if _CONTROL.search(value):
        raise BadParameter(name, "contains control characters")
    return value[:max_length]


class BadParameterMiddleware:
    """Renders BadParameter as a 400 saying which parameter and why (JSON for the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": str(exception)}, status=400)  # as the API's errors
        if getattr(request, "htmx", False):
            return HttpResponse(str(exception), status=400, content_type="text/plain")
        response = TemplateResponse(request, "400.html", {"message": str(exception)}, status=400)
        return response.render()
