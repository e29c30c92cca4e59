from __future__ import annotations

from django.http import HttpRequest

from regions.roles import ADMIN, OPERATOR, has_role, role_of


def roles(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "user_role": role_of(user),
        "can_operate": has_role(user, OPERATOR),
        "can_admin": has_role(user, ADMIN),
    }
