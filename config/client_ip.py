"""The client address the login throttle keys on."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind the deployment's proxy the address that proxy saw.

    The proxy appends the peer it accepted the connection from to X-Forwarded-For, so the
    right-most entry is the one nobody outside could forge (entries to its left come from
    the client and may be invented).
    """
    if settings.SESOPS_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    # None when there is no peer (a test client's forced login): axes stores an IP field.
    return request.META.get("REMOTE_ADDR") or None
