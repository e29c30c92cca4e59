"""DNS actions on the identity page: "check DNS now" (POST) and the zone-file download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from identities import actions
from identities.dns.selectors import zone_file_download
from identities.models import Identity
from identities.views.htmx import HtmxHttpRequest, partial_request
from identities.views.identity import detail_context
from regions.params import query_id
from regions.roles import OPERATOR, VIEWER, require_role


def _domain(pk: int) -> Identity:
    return get_object_or_404(
        Identity.objects.select_related("account"), pk=pk, kind=Identity.Kind.DOMAIN
    )


@require_POST
@require_role(OPERATOR)
def dns_check_now(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Probe this domain's records now, in this request (identities.actions.check_dns)."""
    identity = _domain(pk)
    outcome = actions.check_dns(identity=identity, user=request.user)
    level, text = outcome.level, outcome.message
    if partial_request(request):
        # The records, and out of band what the probe changed: the state, the history.
        context = {**detail_context(identity), "dns_flash": {"level": level, "message": text}}
        return render(request, "identities/detail.html#dns_check_response", context)
    getattr(messages, level)(request, text)
    return redirect("identity_detail", pk=identity.pk)


@require_GET
@require_role(VIEWER)
def dns_zone_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The missing records as a BIND zone-file snippet (`?region=<id>` for one region)."""
    identity = _domain(pk)
    region_id = query_id(request.GET, "region")
    body = zone_file_download(identity, region_id) or f"; nothing to add for {identity.name}\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    suffix = "" if region_id is None else f"-{region_id}"
    # Django's helper quotes and encodes the name (RFC 6266), whatever the identity holds.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{identity.name}{suffix}.zone"
    )
    return response
