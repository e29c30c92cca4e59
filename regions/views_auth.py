"""The demo-only "log in as demo admin" (the login page itself is Django's LoginView)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from regions.roles import ADMIN

DEMO_USERNAME = "demo"


@login_not_required
@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    """Log in as the demo admin without createsuperuser. Only exists for the local demo."""
    if not settings.SESOPS_DEMO_LOGIN:
        raise Http404("The demo login is off.")
    with transaction.atomic():
        # Staff status comes with the admin role (regions.roles), not from here.
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created:
            # No password: this account is only reachable through this button.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    return HttpResponseRedirect(target)
