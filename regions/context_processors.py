from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from regions.roles import ADMIN, OPERATOR, has_role, role_of


def roles(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "user_role": role_of(user),
        "can_operate": has_role(user, OPERATOR),
        "can_admin": has_role(user, ADMIN),
    }


def demo(request: HttpRequest) -> dict[str, object]:
    """The login page offers the demo-admin button only when the local demo is on."""
    return {"demo_login": settings.SESOPS_DEMO_LOGIN}
