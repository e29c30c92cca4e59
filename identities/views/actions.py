"""Action buttons of the identity page: resend verification, add to other regions, sync now.

Each is a POST with CSRF that needs the operator role. The view parses the request, calls the
action in identities/actions.py (which talks to SES, writes and audits) and renders its
outcome: in place for htmx, else as a message and a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from identities import actions
from identities.actions import ActionOutcome
from identities.forms import AddToRegionsForm
from identities.models import Identity
from identities.views.htmx import HtmxHttpRequest, partial_request
from identities.views.identity import detail_context
from regions.models import Region
from regions.roles import OPERATOR, require_role


def _respond(request: HtmxHttpRequest, identity: Identity, outcome: ActionOutcome) -> HttpResponse:
    if partial_request(request):
        context: dict[str, Any] = {
            "identity": identity,
            "level": outcome.level,
            "message": outcome.message,
            "items": outcome.items,
            "refresh": outcome.regions_changed,
        }
        if outcome.regions_changed:
            context.update(detail_context(identity))
        return render(request, "identities/detail.html#action_response", context)
    text = outcome.message
    if outcome.items:
        text += " " + "; ".join(f"{i.region}: {i.message}" for i in outcome.items)
    messages.add_message(request, getattr(messages, outcome.level.upper()), text)
    return redirect("identity_detail", pk=identity.pk)


def _identity(pk: int) -> Identity:
    return get_object_or_404(Identity.objects.select_related("account"), pk=pk)


@require_POST
@require_role(OPERATOR)
def resend_verification(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    region = request.POST.get("region", "")  # the per-region button; else every region
    regions = None
    if region:
        regions = list(Region.objects.filter(pk=int(region) if region.isdigit() else 0))
    outcome = actions.resend_verification(identity=identity, regions=regions, user=request.user)
    return _respond(request, identity, outcome)


@require_POST
@require_role(OPERATOR)
def add_to_regions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    form = AddToRegionsForm(request.POST, identity=identity)
    if not form.is_valid():
        return _respond(request, identity, ActionOutcome("error", form.first_error()))
    outcome = actions.add_to_regions(
        identity=identity,
        regions=form.cleaned_data["regions"],
        dkim=form.cleaned_data["dkim_choice"],
        user=request.user,
    )
    return _respond(request, identity, outcome)


@require_POST
@require_role(OPERATOR)
def sync_now(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    return _respond(request, identity, actions.sync_now(identity=identity, user=request.user))
