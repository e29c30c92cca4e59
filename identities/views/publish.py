"""Publish a domain's DNS records to Route 53: preview (GET), apply the ticked items (POST),
then the change's progress page, which polls itself until the change is in sync and the
domain has been probed again (htmx; status 286 stops the polling)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from identities import actions
from identities.dns.publish import follow_stale, publish_preview
from identities.models import DnsPublish, Identity
from identities.views.htmx import partial_request
from regions.roles import OPERATOR, require_role

log = logging.getLogger(__name__)
STOP_POLLING = 286  # htmx: stop the `every` trigger
_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


def _domain(pk: int) -> Identity:
    return get_object_or_404(Identity.objects.filter(kind=Identity.Kind.DOMAIN), pk=pk)


@require_role(OPERATOR)
@require_http_methods(["GET", "POST"])
def dns_publish(request: HttpRequest, pk: int) -> HttpResponse:
    identity = _domain(pk)
    if request.method == "POST":
        keys = [k for k in request.POST.getlist("item") if k][:200]
        outcome = actions.publish_records(identity=identity, keys=keys, user=request.user)
        if outcome.publish_id is not None:
            return redirect("dns_publish_result", pk=identity.pk, publish_pk=outcome.publish_id)
        messages.add_message(request, _LEVELS[outcome.level], outcome.message)
        target = "dns_publish" if outcome.level == "error" else "identity_detail"
        return redirect(target, pk=identity.pk)
    return render(
        request,
        "identities/publish.html",
        {"identity": identity, "preview": publish_preview(identity=identity)},
    )


@require_role(OPERATOR)
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def dns_publish_result(request: HttpRequest, pk: int, publish_pk: int) -> HttpResponse:
    publish = get_object_or_404(
        DnsPublish.objects.select_related("identity", "account"), pk=publish_pk, identity_id=pk
    )
    # The worker follows the change; if it has not for a while (no worker, a lost task), the
    # page's own poll takes one step so the user is never left waiting forever.
    publish = follow_stale(publish)
    context = {"publish": publish}
    if partial_request(request):
        response = render(request, "identities/publish_result.html#status", context)
        if publish.finished:
            response.status_code = STOP_POLLING
        return response
    return render(request, "identities/publish_result.html", context)
