"""The identity page's actions, for the operator role: sync now, check DNS now, resend the
verification email, add to regions. Each calls the same service as the page
(identities.actions), which writes the same audit event, naming the token's owner."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.http.request import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Body, Path, Router, Status

from api import auth
from api.schemas import (
    ActionOut,
    AddToRegionsIn,
    Error,
    RecordOut,
    RegionOutcomeOut,
    ResendIn,
    ValidationErrorOut,
)
from identities import actions
from identities.actions import ActionOutcome
from identities.dns.expected import ExpectedRecord
from identities.forms import AddToRegionsForm
from identities.models import Identity
from regions.models import Region

router = Router(tags=["actions"])

MAX_ID = 2**63 - 1
# 409: the action did nothing (SES refused, nothing to do, bad choice): the body says why.
# 400: a body that is not JSON.
RESPONSES = {200: ActionOut, 409: ActionOut, 400: Error, 401: Error, 403: Error, 404: Error,
             422: ValidationErrorOut}  # fmt: skip
IdentityId = Path(..., ge=1, le=MAX_ID)
NoBody = Body(None)  # an optional JSON body: `curl -X POST` with none is fine


def _identity(identity_id: int) -> Identity:
    return get_object_or_404(Identity.objects.select_related("account"), pk=identity_id)


def _record(r: ExpectedRecord) -> RecordOut:
    return RecordOut(
        purpose=r.purpose, name=r.name, rtype=r.rtype, value=r.value, blocking=r.blocking
    )


def _record(r: ExpectedRecord) -> RecordOut:
    return RecordOut(
        purpose=r.purpose, name=r.name, rtype=r.rtype, value=r.value, blocking=r.blocking
    )


def _answer(outcome: ActionOutcome) -> Status:
    body = ActionOut(
        ok=outcome.ok,
        level=outcome.level,
        message=outcome.message,
        regions=[
            RegionOutcomeOut(
                region=item.region,
                ok=item.ok,
                message=item.message,
                records=[_record(r) for r in item.records],
            )
            for item in outcome.items
        ],
    )
    return Status(200 if outcome.ok else 409, body)


def _regions(identity: Identity, codes: Sequence[str]) -> list[Region]:
    return list(Region.objects.filter(account_id=identity.account_id, code__in=list(codes)))


@router.post("/identities/{identity_id}/sync", response=RESPONSES)
def sync_now(request: HttpRequest, identity_id: int = IdentityId) -> Status:
    """Queue a sync of every region the identity is in; the result shows in its state once
    a worker has read SES."""
    auth.can_operate(request)
    identity = _identity(identity_id)
    return _answer(actions.sync_now(identity=identity, user=request.user))


@router.post("/identities/{identity_id}/check-dns", response=RESPONSES)
def check_dns(request: HttpRequest, identity_id: int = IdentityId) -> Status:
    """Probe a domain's records on its authoritative nameservers now (in the request)."""
    auth.can_operate(request)
    identity = _identity(identity_id)
    if identity.is_email:
        message = "DNS checks are for domains; an address has no records of its own."
        return _answer(ActionOutcome("error", message))
    return _answer(actions.check_dns(identity=identity, user=request.user))


@router.post("/identities/{identity_id}/resend-verification", response=RESPONSES)
def resend_verification(
    request: HttpRequest, identity_id: int = IdentityId, body: ResendIn | None = NoBody
) -> Status:
    """Resend SES's verification email from the regions where the address is unverified
    (at most once per SESOPS_RESEND_COOLDOWN seconds per address)."""
    auth.can_operate(request)
    identity = _identity(identity_id)
    codes = body.regions if body is not None else None
    regions = None if codes is None else _regions(identity, codes)
    return _answer(
        actions.resend_verification(identity=identity, regions=regions, user=request.user)
    )


@router.post("/identities/{identity_id}/add-to-regions", response=RESPONSES)
def add_to_regions(
    request: HttpRequest, body: AddToRegionsIn, identity_id: int = IdentityId
) -> Status:
    """Create the identity in more regions of its account (domains: with Easy DKIM, a DEED
    parent region's keys, or BYODKIM). The answer lists the DNS records to publish."""
    auth.can_operate(request)
    identity = _identity(identity_id)
    # The page's form does the checking (regions where it is not yet, DKIM choice): it takes
    # region ids, the API region codes.
    by_code = {r.code: r.pk for r in _regions(identity, [*body.regions, body.dkim.parent])}
    data = QueryDict(mutable=True)
    data.setlist("regions", [str(by_code[c]) for c in body.regions if c in by_code])
    data.update(
        {
            "dkim": body.dkim.mode,
            "parent": str(by_code.get(body.dkim.parent, "")),
            "selector": body.dkim.selector,
            "private_key": body.dkim.private_key,
        }
    )
    form = AddToRegionsForm(data, identity=identity)
    if not form.is_valid():
        return _answer(ActionOutcome("error", form.first_error()))
    return _answer(
        actions.add_to_regions(
            identity=identity,
            regions=form.cleaned_data["regions"],
            dkim=form.cleaned_data["dkim_choice"],
            user=request.user,
        )
    )
