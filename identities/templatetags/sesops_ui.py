"""The pages' shared vocabulary: one badge per meaning, and names that break where a reader
expects (after "@" and dots), never inside a word or at a hyphen.

`{% badge "blocked" "Blocked" %}` (optional title=...) and `{{ name|breakable }}`. The grid's
cells (sesops_grid) build their badges from the same BADGE_TONES.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from identities.blockers.grouping import BlockerGroup, group_blockers
from identities.blockers.types import Blocker

register = template.Library()

# tone -> (css class, icon). One meaning per colour and icon across grid, regions, popovers:
#   ok       ✓ green   works: sending, verified, production, healthy
#   blocked  ✕ red     stops sending
#   warn     ! amber   sending works with a limit or something to fix (sandbox, recommended)
#   absent   (en dash) grey   not there / not applicable (not in this region)
#   pending  ◷ blue    waiting on someone else (SES, AWS review, a queued run)
#   stale    ⟳ amber   the data is out of date
BADGE_TONES: dict[str, tuple[str, str]] = {
    "ok": ("badge-ok", "✓"),
    "blocked": ("badge-blocked", "✕"),
    "warn": ("badge-warn", "!"),
    "absent": ("badge-absent", "–"),
    "pending": ("badge-info", "◷"),
    "stale": ("badge-warn", "⟳"),
}


def badge_html(tone: str, text: str, title: str = "") -> SafeString:
    css, icon = BADGE_TONES[tone]
    if title:
        return format_html(
            '<span class="badge {}" title="{}"><span class="icon" aria-hidden="true">{}</span>'
            "{}</span>",
            css,
            title,
            icon,
            text,
        )
    return format_html(
        '<span class="badge {}"><span class="icon" aria-hidden="true">{}</span>{}</span>',
        css,
        icon,
        text,
    )


@register.simple_tag
def badge(tone: str, text: str, title: str = "") -> SafeString:
    return badge_html(tone, text, title)


_BREAK_AFTER = re.compile(r"(?<=[@.])")


def breakable_html(name: str) -> str:
    """Escaped `name` with a line-break opportunity after each "@" and dot; the parts between
    them do not break (a hyphen is no place to cut an address)."""
    parts = [p for p in _BREAK_AFTER.split(name) if p]
    return "<wbr>".join(f'<span class="name-part">{escape(p)}</span>' for p in parts)


@register.filter
def grouped(blockers: list[Blocker]) -> list[BlockerGroup]:
    """The blockers under their root cause (identities.blockers.grouping)."""
    return group_blockers(blockers)


@register.filter
def breakable(name: str) -> SafeString:
    return mark_safe(breakable_html(str(name)))  # noqa: S308 - every part is escaped
