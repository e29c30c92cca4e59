"""/activity/: the event feed (audit log and "what changed"), filterable, paginated.

Filters live in the query string so a filtered view can be bookmarked and shared. One view,
two renders: the full page, or for htmx (not boosted) only the results. As a view (the top
layer) it may read the identities app, to link each event to its identity's page.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from identities.models import Identity
from identities.selectors.activity import ActivityFilters
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.models import AwsAccount, Event, Region
from regions.roles import VIEWER, require_role

PAGE_SIZE = 50
TEMPLATE = "regions/activity.html"


def activity_page(filters: ActivityFilters, page_number: str | int | None) -> Page:
    events = filters.apply(Event.objects.select_related("actor", "account", "region__account"))
    return Paginator(events.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page_number)


def link_identities(events: list[Event]) -> None:
    """Set `identity_pk` on each event whose identity still exists (one query per page)."""
    names = {e.identity_name for e in events if e.identity_name}
    known: dict[tuple[int, str], int] = {}
    if names:
        rows = Identity.objects.filter(name__in=names).values_list("account_id", "name", "pk")
        known = {(account_id, name): pk for account_id, name, pk in rows}
    for event in events:
        account_id = event.account_id or (event.region.account_id if event.region else None)
        event.identity_pk = known.get((account_id, event.identity_name))


@require_GET
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def activity(request: HtmxHttpRequest) -> HttpResponse:

    filters = ActivityFilters.from_params(request.GET)
    page = activity_page(filters, request.GET.get("page"))
    page.object_list = list(page.object_list)
    link_identities(page.object_list)
    context = {
        "filters": filters,
        "page": page,
        "kinds": Event.Kind.choices,
        "results": Event.Result.choices,
        "accounts": list(AwsAccount.objects.values_list("label", flat=True)),
        "region_codes": sorted(set(Region.objects.values_list("code", flat=True))),
    }
    if partial_request(request):
        return render(request, f"{TEMPLATE}#results", context)
    return render(request, TEMPLATE, context)
