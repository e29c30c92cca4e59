"""/account/tokens/: the signed-in user's API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenForm
from api.tokens import NewToken, token_create, token_revoke, tokens_of
from regions.roles import VIEWER, require_role

TEMPLATE = "api/tokens.html"


def _page(request: HttpRequest, form: TokenForm, new: NewToken | None = None) -> HttpResponse:
    context = {"form": form, "tokens": tokens_of(request.user), "new": new, "now": timezone.now()}
    response = render(request, TEMPLATE, context, status=400 if form.errors else 200)
    if new is not None:
        response["Cache-Control"] = "no-store"  # the page holds a secret
    return response


@require_http_methods(["GET", "POST"])
@require_role(VIEWER)  # a token acts with its owner's role: no role, nothing to hand out
def tokens_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    days = form.cleaned_data["expires_in_days"]
    new = token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return _page(request, TokenForm(), new)


@require_POST
@require_role(VIEWER)
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_revoke(user=request.user, token_id=pk)
    if token is None:
        messages.error(request, "No such token among yours.")
    else:
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")
