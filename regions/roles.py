"""Roles are Django groups: viewer (read only), operator (actions), admin (accounts, production
access, the Django admin). Superusers hold every role.

Every view declares the role it needs with `@require_role(...)` (or Django's
`@login_not_required` for the log-in pages); tests/regions/test_roles.py walks the URLconf
and fails on a view that declares neither. A refusal renders a page (no traceback in the
log): "no access yet, ask ..." for a user without a role, a styled 403 otherwise.

The admin role also grants what the Django admin needs, from the role itself: staff status
follows membership of the admin group (`sync_staff_status`), and the group holds the model
permissions to manage accounts, regions and users (`grant_admin_permissions`, after every
migrate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

VIEWER = "viewer"
OPERATOR = "operator"
ADMIN = "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)
# Each role includes the ones before it.
_RANK = {VIEWER: 0, OPERATOR: 1, ADMIN: 2}

# The Django admin's model permissions the admin role holds ("app_label.codename"). The audit
# log and sync runs are view-only for everyone (regions/admin.py refuses the rest too).
ADMIN_PERMISSIONS = (
    *(
        f"regions.{op}_{model}"
        for op in ("add", "change", "delete", "view")
        for model in ("awsaccount", "region")
    ),
    "regions.view_event",
    "regions.view_syncrun",
    "regions.view_productionaccessrequest",
    "regions.view_reviewdecision",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "auth.view_group",
    "identities.view_identity",
    "identities.view_regionalidentity",
    "identities.view_dnscheck",
)


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


def admins_to_ask() -> list[Any]:
    """Who can give someone a role: active superusers and members of the admin group."""
    from django.contrib.auth.models import User
    from django.db.models import Q

    found = User.objects.filter(Q(is_superuser=True) | Q(groups__name=ADMIN), is_active=True)
    return list(found.distinct().order_by("username")[:5])


def refusal(request: HttpRequest, role: str) -> HttpResponse:
    """The page a user gets for a view above their role (rendered, not raised: a raised
    PermissionDenied makes Django log a traceback for an everyday refusal)."""
    if role_of(request.user) is None:
        context = {"admins": admins_to_ask()}
        return TemplateResponse(request, "no_access.html", context, status=403)
    return TemplateResponse(request, "403.html", {"needed_role": role}, status=403)


def require_role(role: str) -> Callable:
    """Refuse (403 page) unless the user holds `role` or a higher one; nothing is changed."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, role):
                return refusal(request, role)
            return view(request, *args, **kwargs)

        wrapped.sesops_role = role  # type: ignore[attr-defined]  # read by the URLconf test
        return wrapped

    return decorator


# -- the admin role's grants ---------------------------------------------------------------
def sync_staff_status(users: Iterable[Any]) -> None:
    """Staff status (the Django admin's door) = superuser or member of the admin group."""
    for user in users:
        staff = user.is_superuser or user.groups.filter(name=ADMIN).exists()
        if user.is_staff != staff:
            type(user).objects.filter(pk=user.pk).update(is_staff=staff)
            user.is_staff = staff


def on_groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **_: Any
) -> None:
    """m2m_changed on User.groups, from either side (user.groups.add / group.user_set.add)."""
    from django.contrib.auth.models import Group, User

    if not reverse:
        if action.startswith("post_"):
            instance.__dict__.pop("_sesops_role", None)
            sync_staff_status([instance])
        return
    if not (isinstance(instance, Group) and instance.name == ADMIN):
        return
    if action == "pre_clear":  # who is in the group is only known before it is cleared
        instance._sesops_cleared = list(instance.user_set.values_list("pk", flat=True))
    elif action.startswith("post_"):
        pks = pk_set if action != "post_clear" else getattr(instance, "_sesops_cleared", [])
        sync_staff_status(User.objects.filter(pk__in=pks or ()))


def grant_admin_permissions(sender: Any = None, **_: Any) -> None:
    """After migrate (and flush): the role groups exist and admin holds ADMIN_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for name in ROLES:
        Group.objects.get_or_create(name=name)
    wanted = Q()
    for dotted in ADMIN_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    Group.objects.get(name=ADMIN).permissions.add(*Permission.objects.filter(wanted))
