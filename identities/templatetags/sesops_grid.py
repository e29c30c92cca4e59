"""`{% grid_cells row page %}`: the status grid's cells of one row, built in Python.

A page has ~1,000 cells: rendered as template markup they were a large share of the page's
time, as string formatting a small one (benchmarks/README.md, "Figures behind design
choices"). The markup is the template's:
badge with an icon and a word (not only a colour), the reasons' titles on hover, and a
<details> whose popover fetches the reasons (identities.views.grid.grid_cell) when opened, with a
link to the identity page without JS.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from identities.blockers.grouping import group_blockers
from identities.selectors.grid import Row
from identities.templatetags.sesops_ui import badge_html

register = template.Library()

BADGES = {
    "blocked": str(badge_html("blocked", "Blocked")),
    "warning": str(badge_html("warn", "Warning")),
    "absent": str(badge_html("absent", "Not in region")),
}
SENDING = str(badge_html("ok", "Sending", "Can send from {code}"))


@register.simple_tag
def grid_cells(row: Row, page: str) -> SafeString:
    """Every <td> of a row but the identity's; `page` is the identity page's URL (the cell
    endpoint is that URL + `cell/<region id>/`, so no reverse() per cell)."""
    page = escape(page)
    label = escape(row.identity.account.label)
    out: list[str] = []
    for cell in row.cells:
        if cell is None:
            out.append(
                f'<td class="cell cell-na"><span title="This identity belongs to account {label}">'
                f'n/a<span class="sr-only">: the identity belongs to account {label}</span>'
                "</span></td>"
            )
            continue
        status = cell.status
        code = escape(cell.region.code)
        if status == "sending":
            out.append(f'<td class="cell cell-sending">{SENDING.replace("{code}", code)}</td>')
            continue
        region_pk = cell.region.pk
        # The count is of root causes, and of the kind the badge says: "Blocked x2" counts
        # what stops sending, never the warnings beside it.
        groups = group_blockers(cell.blockers)
        n = sum(g.blocking for g in groups) if status == "blocked" else len(groups)
        titles = escape("; ".join(g.cause.title for g in groups))
        many = f'<span class="muted small"> ×{n}</span>' if n > 1 else ""
        out.append(
            f'<td class="cell cell-{status}"><details hx-get="{page}cell/{region_pk}/" '
            'hx-trigger="toggle once" hx-target="find .popover" hx-swap="innerHTML">\n'
            f'  <summary aria-label="{status} in {code}: show why" title="{titles}">'
            f"{BADGES.get(status, BADGES['absent'])}{many}</summary>\n"
            f'  <div class="popover" role="note"><a href="{page}#region-{region_pk}">'
            "The reasons are on the identity page →</a></div>\n</details></td>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
