"""/alerts/: open problems, channels and their rules (admins edit them), the delivery log.

Thin views: parse, call a service or selector, render. Every write is a POST by an admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from alerts import selectors, services
from alerts.forms import ChannelForm, RuleForm
from alerts.models import Channel, Delivery, Rule
from identities.views.htmx import HtmxHttpRequest, partial_request
from regions.roles import ADMIN, VIEWER, has_role, require_role


@require_GET
@require_role(VIEWER)
def alerts_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "alerts/home.html",
        {
            "problems": selectors.open_problems(),
            "channels": selectors.channels_overview(),
            "failures": selectors.recent_failures(),
            "is_admin": has_role(request.user, ADMIN),
        },
    )


@require_http_methods(["GET", "POST"])
@require_role(ADMIN)
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk) if pk else None
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        saved = services.channel_save(form=form, actor=request.user)
        messages.success(request, f"Channel {saved.name} saved.")
        return redirect("alert_channel", pk=saved.pk)
    rules = channel.rules.prefetch_related("accounts") if channel else []
    return render(
        request,
        "alerts/channel.html",
        {"form": form, "channel": channel, "rules": rules},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(ADMIN)
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    services.channel_delete(channel=channel, actor=request.user)
    messages.success(request, f"Channel {channel.name} deleted.")
    return redirect("alerts")


@require_POST
@require_role(ADMIN)
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    delivery = services.send_test_alert(channel=channel, actor=request.user)
    messages.success(
        request,
        f"Test alert queued for {channel.name}: its result shows in the delivery log.",
    )
    return redirect(f"/alerts/deliveries/?channel={channel.pk}#delivery-{delivery.pk}")


@require_POST
@require_role(ADMIN)
def channel_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    services.channel_rotate_secret(channel=channel, actor=request.user)
    messages.success(request, "New secret set: update the receiver before the next alert.")
    return redirect("alert_channel", pk=channel.pk)


@require_http_methods(["GET", "POST"])
@require_role(ADMIN)
def rule_edit(request: HttpRequest, channel_pk: int, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_pk)
    rule = get_object_or_404(Rule, pk=pk, channel=channel) if pk else Rule(channel=channel)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.rule_save(form=form, actor=request.user)
        messages.success(request, f"Rule saved on {channel.name}.")
        return redirect("alert_channel", pk=channel.pk)
    return render(
        request,
        "alerts/rule.html",
        {"form": form, "channel": channel, "rule": rule},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(ADMIN)
def rule_delete(request: HttpRequest, channel_pk: int, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk, channel_id=channel_pk)
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, "Rule deleted.")
    return redirect("alert_channel", pk=channel_pk)


def _int(value: str | None) -> int | None:
    # isascii: str.isdigit() also accepts "²", which int() refuses (a 500 otherwise).
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 12 else None


@require_GET
@require_role(VIEWER)
@vary_on_headers("HX-Request")
def deliveries(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Delivery.Status.values else ""
    channel = _int(request.GET.get("channel"))
    page = Paginator(selectors.delivery_log(status=status, channel=channel), 50).get_page(
        request.GET.get("page")
    )
    template = "alerts/deliveries.html"
    if partial_request(request):
        template += "#results"
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("channel", channel)) if v)
    return render(
        request,
        template,
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": Delivery.Status.choices,
            "channels": Channel.objects.only("pk", "name"),
            "query": query,
        },
    )
