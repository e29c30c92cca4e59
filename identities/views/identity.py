"""The identity page: its regions, blockers, DNS records and actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from identities import cooldowns
from identities.dns.selectors import dns_sections
from identities.models import Identity
from identities.selectors.detail import identity_detail
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.roles import VIEWER, require_role


def detail_context(identity: Identity) -> dict[str, Any]:
    detail = identity_detail(identity)
    return {
        "identity": identity,
        "detail": detail,
        "regionals": [r.ri for r in detail.present],
        "dns_sections": dns_sections(identity),
        "resend_wait": (
            cooldowns.seconds_left(identity, settings.SESOPS_RESEND_COOLDOWN)
            if identity.is_email
            else 0
        ),
    }


@require_GET
@vary_on_headers("HX-Request")
@require_role(VIEWER)
def identity_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:

    identity = get_object_or_404(Identity.objects.select_related("account"), pk=pk)
    context = detail_context(identity)
    if partial_request(request):
        return render(request, "identities/detail.html#regions", context)
    return render(request, "identities/detail.html", context)
