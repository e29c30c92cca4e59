"""Action buttons of the identity page: resend verification, add to other regions, sync now.

Each is a POST with CSRF that needs the operator role. The view parses the request, calls the
action in identities/actions.py (which talks to SES, writes and audits) and renders its
outcome: in place for htmx, else as a message and a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from identities import actions
from identities.action_types import ActionOutcome
from identities.forms import AddToRegionsForm
from identities.models import Identity
from identities.selectors.sync_follow import (
    BadMarks,
    format_marks,
    marks_for,
    parse_marks,
    sync_progress,
)
from identities.views.htmx import HtmxHttpRequest, partial_request
from identities.views.identity import detail_context
from regions.models import Region
from regions.params import query_id
from regions.roles import OPERATOR, VIEWER, require_role


def _respond(
    request: HtmxHttpRequest,
    identity: Identity,
    outcome: ActionOutcome,
    follow: dict[str, str] | None = None,
) -> HttpResponse:
    if partial_request(request):
        context: dict[str, Any] = {
            "identity": identity,
            "level": outcome.level,
            "message": outcome.message,
            "items": outcome.items,
            "refresh": outcome.regions_changed,
            "follow": follow,
        }
        # The history always changes (the action is audited); the state when regions did.
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
    region_id = query_id(request.POST, "region")  # the per-region button; else every region
    regions = None if region_id is None else list(Region.objects.filter(pk=region_id))
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
    marks = marks_for(Region.objects.filter(account_id=identity.account_id))
    outcome = actions.sync_now(identity=identity, user=request.user)
    queued = {i.region for i in outcome.items if i.ok}
    codes = dict(Region.objects.filter(pk__in=marks).values_list("pk", "code"))
    marks = {pk: run for pk, run in marks.items() if codes[pk] in queued}
    follow = None
    if marks:  # the page polls these runs until they end (sync_follow)
        follow = {"runs": format_marks(marks), "since": timezone.now().isoformat()}
    return _respond(request, identity, outcome, follow)


@require_GET
@require_role(VIEWER)
def sync_follow(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Where the syncs a "Sync now" started are; once all have ended, the changed parts of
    the page (state, history, records) out of band and HTTP 286: htmx stops polling."""
    identity = _identity(pk)
    since = parse_datetime(request.GET.get("since", ""))
    try:
        marks = parse_marks(request.GET.get("runs", ""))
    except BadMarks as err:
        return HttpResponseBadRequest(f"runs: {err}")
    if since is None:
        return HttpResponseBadRequest("since: not a date and time")
    progress = sync_progress(marks=marks, started=since)
    context: dict[str, Any] = {
        "identity": identity,
        "progress": progress,
        "follow": {"runs": request.GET["runs"], "since": request.GET["since"]},
    }
    if not progress.ended:
        return render(request, "identities/detail.html#sync_follow", context)
    context.update(detail_context(identity))
    response = render(request, "identities/detail.html#sync_follow_done", context)
    return HttpResponseStopPolling(response.content)
