"""Roles are Django groups: viewer (read only), operator (actions), admin (accounts, production
access). Superusers hold every role. Views check with `require_role`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

VIEWER = "viewer"
OPERATOR = "operator"
ADMIN = "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)
# Each role includes the ones before it.
_RANK = {VIEWER: 0, OPERATOR: 1, ADMIN: 2}


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_sesops_role", "unset")
    if cached != "unset":
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in reversed(ROLES) if r in names), None)
    user._sesops_role = role
    return role


def has_role(user: Any, role: str) -> bool:
    mine = role_of(user)
    return mine is not None and _RANK[mine] >= _RANK[role]


def require_role(role: str) -> Callable:
    """403 unless the user holds `role` (or a higher one); nothing is changed on refusal."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, role):
                raise PermissionDenied(f"This needs the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
