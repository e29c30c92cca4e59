"""Actions on one identity: resend verification, add to other regions, sync now.

Each is a POST with CSRF, needs the operator role, writes one audit event per region touched
(who, what, when, result) and answers in place (htmx) or with a message and a redirect.
An SES error becomes a readable message and leaves the data as it was.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from identities import tasks
from identities.blockers.flags import refresh_blocking
from identities.blockers.states import is_verified_row
from identities.dns.expected import DomainSpec, ExpectedRecord, expected_records
from identities.dns.names import InvalidDnsName
from identities.models import Identity, RegionalIdentity, Status
from identities.selectors.detail import deed_origin
from identities.views.identity import detail_context
from regions import events, ses
from regions.models import Event, Region
from regions.roles import OPERATOR, require_role
from regions.ses_types import IdentityDetails, SesError

log = logging.getLogger(__name__)

OK, ERROR = Event.Result.OK, Event.Result.ERROR


@dataclass
class Item:
    """The outcome in one region."""

    region: str
    ok: bool
    message: str
    records: list[ExpectedRecord] = field(default_factory=list)


def _ses_failure(err: Exception) -> str:
    if isinstance(err, SesError):
        return str(err)
    # Not an SES answer (e.g. credentials that cannot even build a client): the user still
    # gets a message rather than a 500, and the details go to the log.
    log.exception("unexpected error calling SES")
    return f"unexpected error ({type(err).__name__}); see the server log"


def _audit(
    request: HttpRequest,
    identity: Identity,
    region: Region | None,
    subject: str,
    ok: bool,
    message: str,
) -> None:
    events.record_event(
        kind=Event.Kind.ACTION,
        actor=request.user,
        account=identity.account,
        region=region,
        identity_name=identity.name,
        subject=subject,
        result=OK if ok else ERROR,
        message=message,
    )


def _respond(
    request: HttpRequest,
    identity: Identity,
    level: str,
    message: str,
    items: list[Item] | None = None,
    *,
    refresh: bool = False,
) -> HttpResponse:
    items = items or []
    if getattr(request, "htmx", None):
        context: dict[str, Any] = {
            "identity": identity,
            "level": level,
            "message": message,
            "items": items,
            "refresh": refresh,
        }
        if refresh:
            context.update(detail_context(identity))
        return render(request, "identities/detail.html#action_response", context)
    text = message
    if items:
        text += " " + "; ".join(f"{i.region}: {i.message}" for i in items)
    messages.add_message(request, getattr(messages, level.upper()), text)
    return redirect("identity_detail", pk=identity.pk)


def _identity(pk: int) -> Identity:
    return get_object_or_404(Identity.objects.select_related("account"), pk=pk)


def resend_cooldown_key(identity_pk: int) -> str:
    return f"sesops:resend-verification:{identity_pk}"


def _cooldown_message(key: str, cooldown: int) -> str:
    sent = cache.get(key)
    wait = cooldown - int(time.time() - sent) if isinstance(sent, (int, float)) else cooldown
    wait = max(1, min(wait, cooldown))
    minutes, seconds = divmod(wait, 60)
    when = " ".join(
        p for p in (f"{minutes} min" if minutes else "", f"{seconds} s" if seconds else "") if p
    )
    return (
        "A verification email was sent moments ago: to protect the mailbox, the next one can "
        f"be sent in {when}. Check the inbox and the spam folder first."
    )


@require_POST
@require_role(OPERATOR)
def resend_verification(request: HttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    if not identity.is_email:
        return _respond(
            request,
            identity,
            "error",
            "Only email addresses get a verification email; a domain is verified "
            "by publishing its DNS records.",
        )
    rows = RegionalIdentity.objects.filter(identity=identity, present=True).select_related(
        "region", "region__account"
    )
    region = request.POST.get("region", "")
    if region:  # the per-region button; otherwise every region where it is unverified
        rows = rows.filter(region_id=int(region) if region.isdigit() else 0)
    targets = [
        ri for ri in rows if not is_verified_row(ri.verified_for_sending, ri.verification_status)
    ]
    if not targets:
        return _respond(
            request,
            identity,
            "warning",
            "Nothing to resend: the address is verified in every region where it "
            "exists (use “Add to regions” for the others).",
        )
    cooldown = settings.SESOPS_RESEND_COOLDOWN
    key = resend_cooldown_key(identity.pk)
    # cache.add is atomic: of two clicks (or two users), only one gets to send.
    if cooldown and not cache.add(key, time.time(), timeout=cooldown):
        message = _cooldown_message(key, cooldown)
        _audit(request, identity, None, "resend_verification", False, message)
        return _respond(request, identity, "warning", message)
    items = []
    for ri in targets:
        try:
            ses.client_for(identity.account, ri.region.code).verify_email(identity.name)
        except Exception as err:  # shown to the user, never a 500
            text = _ses_failure(err)
            items.append(Item(ri.region.code, False, text))
            _audit(request, identity, ri.region, "resend_verification", False, text)
            continue
        text = f"verification email sent to {identity.name}"
        items.append(Item(ri.region.code, True, text))
        _audit(request, identity, ri.region, "resend_verification", True, text)
    sent = [i for i in items if i.ok]
    if not sent:
        cache.delete(key)  # nothing went out: let the user retry at once
        return _respond(
            request,
            identity,
            "error",
            "SES did not send the verification email. Nothing was changed.",
            items,
        )
    level = "success" if len(sent) == len(items) else "warning"
    return _respond(
        request,
        identity,
        level,
        f"Verification email sent from {', '.join(i.region for i in sent)}. The link in it "
        "expires after 24 hours; ask the owner of the mailbox to check the spam folder too.",
        items,
    )


_PEM = re.compile(r"-----(BEGIN|END)[^-]*-----|\s+")


def _dkim_options(
    request: HttpRequest, identity: Identity, parents: dict[str, Region]
) -> tuple[dict[str, str], str]:
    """create_identity keyword arguments for the chosen DKIM setup, or an error message."""
    if identity.is_email:
        return {}, ""
    mode = request.POST.get("dkim", "easy")
    if mode == "deed":
        parent = parents.get(request.POST.get("parent", ""))
        if parent is None:
            return {}, "Choose the parent region whose DKIM records the new regions should reuse."
        return {"dkim_origin": deed_origin(parent.code)}, ""
    if mode == "byodkim":
        selector = request.POST.get("selector", "").strip().lower()
        key = _PEM.sub("", request.POST.get("private_key", ""))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", selector) or not key:
            return {}, "BYODKIM needs a selector (letters, digits, hyphens) and the private key."
        return {"byodkim_selector": selector, "byodkim_private_key": key}, ""
    return {}, ""


def _save_created(identity: Identity, region: Region, details: IdentityDetails) -> None:
    """Record what SES answered so the page shows the region at once (sync refines it)."""
    now = timezone.now()
    with transaction.atomic():
        ri, _ = RegionalIdentity.objects.update_or_create(
            identity=identity,
            region=region,
            defaults={
                "present": True,
                "gone_at": None,
                "verification_status": details.verification_status or Status.PENDING,
                "verified_for_sending": bool(details.verified_for_sending),
                "dkim_signing_enabled": details.dkim_signing_enabled,
                "dkim_status": details.dkim_status,
                "dkim_tokens": list(details.dkim_tokens),
                "dkim_origin": details.dkim_origin,
                "dkim_signing_zone": details.dkim_signing_zone,
                "synced_at": now,
                "changed_at": now,
            },
        )
        refresh_blocking([ri.pk])


def _records(identity: Identity, code: str, details: IdentityDetails) -> list[ExpectedRecord]:
    if identity.is_email:
        return []
    try:
        return expected_records(
            DomainSpec(
                domain=identity.name,
                region=code,
                dkim_tokens=details.dkim_tokens,
                dkim_origin=details.dkim_origin,
                signing_hosted_zone=details.dkim_signing_zone,
            )
        )
    except InvalidDnsName:
        return []


@require_POST
@require_role(OPERATOR)
def add_to_regions(request: HttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    regions = {
        str(r.pk): r
        for r in Region.objects.select_related("account").filter(
            account_id=identity.account_id, hidden=False
        )
    }
    present = set(
        RegionalIdentity.objects.filter(identity=identity, present=True).values_list(
            "region_id", flat=True
        )
    )
    chosen = [
        regions[i]
        for i in request.POST.getlist("regions")
        if i in regions and regions[i].pk not in present
    ]
    if not chosen:
        return _respond(
            request,
            identity,
            "error",
            "Choose at least one region where the identity does not exist yet.",
        )
    parents = {str(r.pk): r for r in regions.values() if r.pk in present}
    options, problem = _dkim_options(request, identity, parents)
    if problem:
        return _respond(request, identity, "error", problem)
    items = []
    for region in chosen:
        try:
            details = ses.client_for(identity.account, region.code).create_identity(
                identity.name, **options
            )
        except Exception as err:  # shown to the user, never a 500
            text = _ses_failure(err)
            items.append(Item(region.code, False, text))
            _audit(request, identity, region, "add_to_region", False, text)
            continue
        with transaction.atomic():
            _save_created(identity, region, details)
            text = f"created in {region.code}" + (
                f" (DKIM: {options['dkim_origin']})" if "dkim_origin" in options else ""
            )
            _audit(request, identity, region, "add_to_region", True, text)
        items.append(Item(region.code, True, text, _records(identity, region.code, details)))
    done = [i for i in items if i.ok]
    if not done:
        return _respond(
            request,
            identity,
            "error",
            "SES did not create the identity. Nothing was changed.",
            items,
        )
    follow = (
        " SES sent a verification email from each new region: the link must be clicked "
        "within 24 hours."
        if identity.is_email
        else " Publish the DNS records below; SES looks for them for up to 72 hours."
    )
    level = "success" if len(done) == len(items) else "warning"
    return _respond(
        request,
        identity,
        level,
        f"Added to {', '.join(i.region for i in done)}." + follow,
        items,
        refresh=True,
    )


@require_POST
@require_role(OPERATOR)
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    identity = _identity(pk)
    rows = Region.objects.select_related("account").filter(account_id=identity.account_id)
    present = rows.filter(
        regional_identities__identity=identity, regional_identities__present=True
    ).distinct()
    regions = list(present) or list(rows.filter(hidden=False))
    items = []
    for region in regions:
        try:
            queued = tasks.enqueue_region_sync(region, trigger=request.user.get_username())
            text = (
                "sync queued"
                if queued
                else "the task queue is unreachable: the sync was not queued; try again shortly"
            )
        except Exception as err:  # shown to the user, never a 500
            log.exception("enqueue_region_sync failed")
            queued, text = False, f"could not queue the sync ({type(err).__name__})"
        items.append(Item(region.code, queued, text))
        _audit(request, identity, region, "sync_now", queued, text)
    done = [i for i in items if i.ok]
    if not done:
        return _respond(request, identity, "error", "The sync could not be queued.", items)
    return _respond(
        request,
        identity,
        "success" if len(done) == len(items) else "warning",
        f"Sync queued for {', '.join(i.region for i in done)}; the page shows the "
        "result once the worker has read SES.",
        items,
    )
