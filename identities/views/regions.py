"""The regions page (every account x region, with coverage) and the production-access wizard.

Both pages combine regions' rows with identities' coverage and readiness, so they live here
(regions never imports identities). Views are thin: reads come from identities/selectors/
(coverage, readiness), the one write that talks to SES is regions/access.py. Everything that
changes state is POST-only and admin-only (regions.roles.require_role); a refused request
stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from identities.selectors.coverage import Coverage, coverage_for, regions_for_page
from identities.selectors.endpoints import endpoints_for_page
from identities.selectors.readiness import GUIDANCE, Readiness, readiness_for_regions
from identities.selectors.syncs import SyncState, sync_states
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.access import production_access_submit
from regions.advice import account_advice
from regions.events import record_event
from regions.forms import ProductionAccessForm
from regions.models import Event, ProductionAccessRequest, Region, ReviewStatus
from regions.params import query_id
from regions.reviews import request_history
from regions.roles import ADMIN, VIEWER, require_role

HISTORY_SHOWN = 20


@dataclass
class RegionRow:
    region: Region
    coverage: Coverage
    grid_url: str
    sync: SyncState

    @property
    def review_pending(self) -> bool:
        return self.region.review_status == ReviewStatus.PENDING

    @property
    def unlimited(self) -> bool:
        return self.region.max_24_hour_send == -1

    @property
    def sync_error(self) -> str:
        return self.region.current_error


def _grid_url(region: Region) -> str:
    try:
        base = reverse("grid")
    except NoReverseMatch:
        return ""
    # urlencode: a label such as "R&D team#1" must arrive whole, not cut at & or #.
    return f"{base}?{urlencode({'account': region.account.label, 'region': region.code})}"


@require_GET
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def regions_page(request: HtmxHttpRequest) -> HttpResponse:
    show_hidden = request.GET.get("hidden") == "1"
    regions = list(regions_for_page(show_hidden=show_hidden))
    coverage = coverage_for(regions)
    syncs = sync_states(r.pk for r in regions)
    rows = [RegionRow(r, coverage[r.pk], _grid_url(r), syncs[r.pk]) for r in regions]
    hidden_count = (
        0 if show_hidden else Region.objects.filter(hidden=True, account__is_active=True).count()
    )
    context = {
        "rows": rows,
        "show_hidden": show_hidden,
        "hidden_count": hidden_count,
        "now": timezone.now(),
    }
    # The page's table polls itself every 10 s (like the grid): htmx gets that part only.
    if partial_request(request):
        return render(request, "regions/regions.html#live", context)
    # Global endpoints judge every identity of their regions: read on a page load, not on
    # each poll of the table.
    context["endpoints"] = endpoints_for_page(regions)
    context["account_advice"] = account_advice(regions)  # SES's, about no identity
    return render(request, "regions/regions.html", context)


@require_POST
@require_role(ADMIN)
def region_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("account"), pk=pk)
    hide = request.POST.get("hidden") == "1"
    if region.hidden != hide:
        Region.objects.filter(pk=region.pk).update(hidden=hide, changed_at=timezone.now())
        record_event(
            kind=Event.Kind.ACTION,
            actor=request.user,
            region=region,
            subject="hide_region" if hide else "unhide_region",
            before="hidden" if region.hidden else "shown",
            after="hidden" if hide else "shown",
            result=Event.Result.OK,
        )
        messages.success(request, f"{region} is now {'hidden' if hide else 'shown'}.")
    url = reverse("regions")
    return redirect(url + ("?hidden=1" if request.POST.get("show_hidden") == "1" else ""))


def _sandbox_regions(region: Region) -> list[Region]:
    """Regions of the same account a request can go to: in the sandbox by our last sync.

    Hidden regions are offered only when they are the wizard's own region. A region whose
    review our data says is PENDING stays in the list (our data may be older than SES's), but
    the template disables its checkbox.
    """
    qs = Region.objects.select_related("account").filter(
        account=region.account, production_access_enabled=False
    )
    return [r for r in qs.order_by("code") if not r.hidden or r.pk == region.pk]


def _history_context(region: Region) -> dict:
    history, unrequested = request_history(region.account, HISTORY_SHOWN)
    return {"history": history, "unrequested": unrequested}


@dataclass
class CandidateRow:
    region: Region
    readiness: Readiness
    checked: bool

    @property
    def pending(self) -> bool:
        return self.region.review_status == ReviewStatus.PENDING


def _checked_ids(form: ProductionAccessForm | None) -> set[str]:
    if form is None:
        return set()
    if form.is_bound:
        return {str(v) for v in form.data.getlist("regions")}
    return {str(v) for v in form.initial.get("regions", [])}


def _wizard_context(region: Region, form: ProductionAccessForm | None, step: str) -> dict:
    candidates = _sandbox_regions(region)
    readiness = readiness_for_regions([*candidates, *([] if region in candidates else [region])])
    checked = _checked_ids(form)
    return {
        "region": region,
        "step": step,
        "form": form,
        "candidate_rows": [
            CandidateRow(c, readiness[c.pk], str(c.pk) in checked) for c in candidates
        ],
        "readiness": readiness[region.pk],
        "guidance": GUIDANCE,
        **_history_context(region),
        "in_sandbox": region.production_access_enabled is False,
        "review_pending": region.review_status == ReviewStatus.PENDING,
    }


def _new_form(region: Region, candidates: list[Region]) -> ProductionAccessForm:
    initial = {}
    if region.review_status != ReviewStatus.PENDING:
        initial["regions"] = [region.pk]
    # Prefill from what SES last held for the account in this region (GetAccount's Details).
    for name in ("mail_type", "website_url", "contact_language", "use_case_description"):
        if getattr(region, name):
            initial[name] = getattr(region, name)
    if region.additional_contacts:
        initial["additional_contacts"] = "\n".join(region.additional_contacts)
    return ProductionAccessForm(regions=candidates, initial=initial)


@require_http_methods(["GET", "POST"])
@require_role(ADMIN)
def production_access(request: HttpRequest, pk: int) -> HttpResponse:
    # The form posts back to this page's own URL, so a refused submission keeps the address
    # the user can reload or share (the /submit/ URL stays for scripts that post to it).
    if request.method == "POST":
        return _submit(request, pk)
    region = get_object_or_404(Region.objects.select_related("account"), pk=pk)
    step = "form" if request.GET.get("step") == "form" else "checklist"
    form = None
    if step == "form" and region.production_access_enabled is False:
        form = _new_form(region, _sandbox_regions(region))
    return render(request, "regions/production_access.html", _wizard_context(region, form, step))


@require_POST
@require_role(ADMIN)
def production_access_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk)


def _submit(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("account"), pk=pk)
    form = ProductionAccessForm(request.POST, regions=_sandbox_regions(region))
    if not form.is_valid():
        context = _wizard_context(region, form, "form")
        return render(request, "regions/production_access.html", context, status=400)
    answers = production_access_submit(
        regions=list(form.cleaned_data["regions"]), details=form.details(), user=request.user
    )
    accepted = [a for a in answers if a.outcome == ProductionAccessRequest.Outcome.SUBMITTED]
    if accepted:
        codes = ", ".join(a.region.code for a in accepted)
        messages.success(request, f"Production access requested in {codes}.")
    # Refusals (Conflict, errors) are shown per region, in SES's words, on the result page.
    query = "&".join(f"r={a.request.pk}" for a in answers)
    return redirect(reverse("production_access_result", args=[region.pk]) + "?" + query)


@require_GET
@require_role(ADMIN)
def production_access_result(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("account"), pk=pk)
    ids = [query_id({"r": v}, "r") for v in request.GET.getlist("r")]
    answers = list(
        ProductionAccessRequest.objects.filter(pk__in=ids, region__account=region.account)
        .select_related("region", "submitted_by")
        .order_by("region__code")
    )
    return render(
        request,
        "regions/production_access_result.html",
        {"region": region, "answers": answers, **_history_context(region)},
    )
