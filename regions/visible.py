"""Control and bidirectional-override characters made visible, never obeyed.

An SES identity name or a DNS value is data from outside: a U+202E (right-to-left override)
in it would reverse what follows on screen, a carriage return or an ANSI escape would
rewrite a terminal line. CLI tables print such characters as `<U+202E>`; pages show the same
through VisibleControlsMiddleware (the marker is plain text: safe in text and attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# C0 controls except tab/newline, DEL, C1 controls, the bidi embeddings/overrides/isolates
# and marks, zero-width joiners and the BOM: never part of a name a person means to read.
_HIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
HIDDEN = re.compile(f"[{_HIDDEN}]")
# A terminal also obeys a carriage return (it rewrites the line): CLI output marks it too.
HIDDEN_CLI = re.compile(f"[{_HIDDEN}\r]")


def _marker(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def visible(text: str) -> str:
    """`text` with every hidden or steering character replaced by `<U+XXXX>`."""
    return HIDDEN_CLI.sub(_marker, text)


def visible_html(text: str) -> str:
    """The same for a rendered page: the marker is escaped (&lt;U+202E&gt;)."""
    return HIDDEN.sub(lambda m: f"&lt;U+{ord(m.group()):04X}&gt;", text)


class VisibleControlsMiddleware:
    """Makes hidden characters visible in every HTML page (and htmx partial) sesops renders."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or not response.content
        ):
            return response
        charset = response.charset or "utf-8"
        html = response.content.decode(charset, errors="replace")
        if HIDDEN.search(html):
            response.content = visible_html(html).encode(charset)
        return response
