"""Page text with names whole again: templates wrap the parts of a name between its break
points ("@" and dots) in <span class="name-part"> joined by <wbr> (sesops_ui.breakable)."""

from __future__ import annotations

import re

_PART = re.compile(r'<span class="name-part">([^<]*)</span>(?:<wbr>)?')


def unbreak_names(html: str) -> str:
    return _PART.sub(r"\1", html)
