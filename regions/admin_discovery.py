"""The admin page "Discover accounts": the form in front of regions/discovery.py.

Served by AwsAccountAdmin (regions/admin.py) under /admin/regions/awsaccount/discover/, so
the Django admin's login, staff check and CSRF apply; adding accounts also needs the
`regions.add_awsaccount` permission (the admin role holds it).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from regions.discovery import DiscoveryInputError, accounts_discover, validate_discovery_input
from regions.models import AwsAccount
from regions.organizations import OrganizationsError


class DiscoverForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=AwsAccount.objects.filter(is_active=True),
        label="List from",
        help_text="The Organizations management account or a delegated administrator.",
    )
    role_name = forms.CharField(
        max_length=512, help_text="The IAM role sesops assumes in each member account."
    )
    external_id = forms.CharField(max_length=1224, required=False)

    def clean(self) -> dict:
        data = super().clean()
        try:
            validate_discovery_input(
                role_name=data.get("role_name", ""), external_id=data.get("external_id", "")
            )
        except DiscoveryInputError as exc:
            raise ValidationError(str(exc)) from exc
        return data


def discover_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("regions.add_awsaccount"):
        raise PermissionDenied
    form = DiscoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = accounts_discover(
                source=form.cleaned_data["source"],
                role_name=form.cleaned_data["role_name"],
                external_id=form.cleaned_data["external_id"],
                actor=request.user,
            )
        except (OrganizationsError, DiscoveryInputError) as exc:
            form.add_error(None, f"AWS Organizations: {exc}")
        else:
            messages.success(request, f"Account discovery: {result.summary()}.")
            return HttpResponseRedirect(reverse("admin:regions_awsaccount_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Discover accounts from AWS Organizations",
        "form": form,
    }
    return TemplateResponse(request, "admin/regions/awsaccount/discover.html", context)
