"""/send-check/: would SES accept this send? Read only (it sends nothing), so viewers may use it.

One view, two renders: a full page, or for htmx the panel (form + result) swapped in place.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from identities.forms import SendCheckForm
from identities.sendcheck.rules import SendCheckResult
from identities.sendcheck.selectors import send_check
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.roles import VIEWER, require_role

TEMPLATE = "identities/send_check.html"


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def send_check_view(request: HtmxHttpRequest) -> HttpResponse:

    result: SendCheckResult | None = None
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
    context = {"form": form, "result": result}
    if partial_request(request):
        return render(request, f"{TEMPLATE}#panel", context)
    return render(request, TEMPLATE, context)
