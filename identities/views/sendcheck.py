"""/send-check/: would SES accept this send? Read only (it sends nothing), so viewers may use it.

One view, two renders: a full page, or for htmx the panel (form + result) swapped in place.
"""

from __future__ import annotations

from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from identities.forms import SendCheckForm
from identities.models import Identity
from identities.sendcheck.addresses import domain_of
from identities.sendcheck.result import FixAction, SendCheckResult
from identities.sendcheck.selectors import send_check
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.models import AwsAccount, Region
from regions.roles import VIEWER, require_role

TEMPLATE = "identities/send_check.html"


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def send_check_view(request: HtmxHttpRequest) -> HttpResponse:

    result: SendCheckResult | None = None
    fixes: list[tuple[str, str, str]] = []
    if request.method == "POST":
        form = SendCheckForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            result = send_check(
                data["account"],
                data["region"],
                data["sender"],
                data["recipients"],
                return_path=data["return_path"],
            )
            fixes = _fix_links(result, data["account"], data["region"])
    else:
        # Links may prefill the form (?from=&to=&return_path=&region=&account=);
        # nothing runs on GET.
        params = request.GET
        initial = {
            "sender": params.get("from", ""),
            "recipients": params.get("to", ""),
            "region": params.get("region", ""),
            "return_path": params.get("return_path", ""),
        }
        if params.get("account"):
            initial["account"] = params["account"]
        form = SendCheckForm(initial=initial)
    context = {"form": form, "result": result, "fixes": fixes}
    if partial_request(request):
        return render(request, f"{TEMPLATE}#panel", context)
    return render(request, TEMPLATE, context)


def _fix_links(
    result: SendCheckResult, account: AwsAccount, region_code: str
) -> list[tuple[str, str, str]]:
    """(fix, url, label) for each "What to do" item: the page where sesops does it, or no
    link when sesops cannot (an address it has no identity for, a support case)."""
    subjects = {a.subject.lower() for _, a in result.fix_items if a and a.subject}
    subjects |= {domain_of(s) for s in subjects if "@" in s}
    known = {
        name: pk
        for name, pk in Identity.objects.filter(account=account)
        .annotate(lname=Lower("name"))
        .filter(lname__in=subjects)
        .values_list("lname", "pk")
    }
    region = Region.objects.filter(account=account, code=region_code).first()
    links = []
    for fix, action in result.fix_items:
        url, label = _link(action, known, region)
        links.append((fix, url, label))
    return links


def _link(action: FixAction | None, known: dict[str, int], region: Region | None) -> tuple:
    if action is None:
        return "", ""
    if action.kind == "production_access" and region is not None:
        return reverse("production_access", args=[region.pk]), "Request production access →"
    subject = action.subject.lower()
    for name in (subject, domain_of(subject) if "@" in subject else ""):
        if name in known:
            return reverse("identity_detail", args=[known[name]]), f"Open {name} →"
    return "", ""
