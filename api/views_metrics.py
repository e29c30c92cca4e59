"""/metrics for Prometheus: behind a token or an allowed network (README, "Metrics")."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.metrics import registry
from api.tokens import token_authenticate
from regions.roles import VIEWER, has_role

_REGISTRY = registry()


def _bearer(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _from_allowed_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in settings.SESOPS_METRICS_NETWORKS)


def allowed(request: HttpRequest) -> bool:
    """The metrics token, an API token of a user who may read, or an allowed network."""
    secret = _bearer(request)
    if secret:
        wanted = settings.SESOPS_METRICS_TOKEN
        if wanted and hmac.compare_digest(secret.encode(), wanted.encode()):
            return True
        token = token_authenticate(secret)
        if token is not None and has_role(token.user, VIEWER):
            return True
    return _from_allowed_network(request)


@login_not_required  # Prometheus has no session: the token or the network decides
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        response = HttpResponse(
            "Metrics need a token (Authorization: Bearer ...) or an allowed network; "
            "see SESOPS_METRICS_TOKEN and SESOPS_METRICS_NETWORKS.\n",
            status=401,
            content_type="text/plain",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_REGISTRY), content_type=CONTENT_TYPE_LATEST)
