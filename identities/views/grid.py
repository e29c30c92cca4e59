"""The status grid, its live refresh, and the blockers of one cell.

One view, two renders: a full page, or (htmx request, not boosted) only the part that changes,
with counters updated out of band. Every page also works as a plain page load.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from identities.blockers.states import cells_for
from identities.models import Identity
from identities.selectors import grid_version
from identities.selectors.grid import (
    Grid,
    GridFilters,
    build_grid,
    changed_since,
    parse_row_state,
    stale_signature,
    visible_regions,
)
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.models import Region
from regions.roles import VIEWER, require_role

POLL_SECONDS = 10  # live refresh interval of the grid


def _grid_context(grid: Any) -> dict[str, Any]:
    return {"grid": grid, "poll_seconds": POLL_SECONDS}


def _results(filters: GridFilters) -> tuple[Grid, str]:
    """The grid (without its rows) and its rendered result table, which is the same for
    every user: from the page cache when nothing the grid shows changed since it was made
    (identities/selectors/grid_version.py), else built, rendered and stored."""
    now = timezone.now()
    version = grid_version.current()  # first: the data read after it is at least as new
    regions = visible_regions()

    def build() -> tuple[Grid, str]:
        grid = build_grid(filters, now=now, version=version, regions=regions)
        html = render_to_string("identities/grid.html#results", _grid_context(grid))
        return replace(grid, rows=[]), html

    if version is None:
        return build()
    return grid_version.cached((version, stale_signature(regions, now), filters), build)


@require_GET
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def grid(request: HtmxHttpRequest) -> HttpResponse:

    grid_data, results_html = _results(GridFilters.from_params(request.GET))
    context = {**_grid_context(grid_data), "results_html": results_html}
    if partial_request(request):
        # Filters and pagination: the results, plus the counters out of band.
        return render(request, "identities/grid.html#results_response", context)
    return render(request, "identities/grid.html", context)


@require_GET
@require_role(VIEWER)
def grid_refresh(request: HttpRequest) -> HttpResponse:
    """Live refresh: 204 (htmx swaps nothing) unless something changed since the page's stamp.

    When something did, only the rows whose content changed are swapped (out of band, by row
    id), with the counters and, if it changed, the header row; if the columns or the set of
    rows on the page changed, the whole result table is swapped instead.
    """
    if not changed_since(request.GET.get("since", ""), request.GET.get("stale", "")):
        return HttpResponse(status=204)
    grid_data = build_grid(GridFilters.from_params(request.GET))
    held = parse_row_state(request.GET.get("rows", ""))
    same_layout = request.GET.get("cols") == grid_data.column_ids and [pk for pk, _ in held] == [
        r.identity.pk for r in grid_data.rows
    ]
    context = _grid_context(grid_data)
    context["head_changed"] = request.GET.get("head") != grid_data.head_digest
    if same_layout:
        digests = dict(held)
        context["changed_rows"] = [
            r for r in grid_data.rows if digests.get(r.identity.pk) != r.digest
        ]
        context["whole"] = False
    else:
        context["whole"] = True
    return render(request, "identities/grid.html#refresh_response", context)


@require_GET
@require_role(VIEWER)
def grid_cell(request: HttpRequest, pk: int, region_pk: int) -> HttpResponse:
    """The blockers of one grid cell, fetched when its popover opens.

    The grid renders only each cell's badge: rendering ~1,000 popovers a page cost more than
    the rest of the page. Without JS the popover holds a link to the identity page instead.
    """
    identity = get_object_or_404(Identity.objects.select_related("account"), pk=pk)
    region = get_object_or_404(Region.objects.select_related("account"), pk=region_pk)
    cell = cells_for([identity], [region]).get((identity.pk, region.pk))
    if cell is None:  # a region of another account: the grid shows "n/a" there
        raise Http404("This identity has no cell in that region.")
    return render(request, "identities/_blockers.html", {"blockers": cell.blockers, "cell": cell})
