"""GET /api/v1/account-regions and POST /api/v1/send-check."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from api import auth
from api.schemas import (
    NO_NUL,
    AccountRegionOut,
    Coverage,
    Error,
    Quota,
    Review,
    SendCheckIn,
    SendCheckOut,
    ValidationErrorOut,
)
from identities.blockers.states import region_state
from identities.selectors.coverage import coverage_for, regions_for_page
from identities.sendcheck.selectors import (
    InvalidAddress,
    UnknownAccount,
    UnknownRegion,
    resolve_account,
    send_check,
)

router = Router(tags=["account-regions"])

READ_ERRORS = {401: Error, 403: Error, 422: ValidationErrorOut}


@router.get("/account-regions", response={200: list[AccountRegionOut], **READ_ERRORS})
def list_account_regions(
    request: HttpRequest,
    account: str = Query("", max_length=64, pattern=NO_NUL, description="Account label"),
    include_hidden: bool = Query(False, description="Also the regions hidden from the grid"),
) -> list[AccountRegionOut]:
    """Every account-region with its SES account state: sandbox, quota, enforcement,
    production-access review, sync health and identity coverage (the regions page)."""
    auth.can_read(request)
    regions = list(regions_for_page(show_hidden=include_hidden))
    if account:
        regions = [r for r in regions if r.account.label == account]
    coverage = coverage_for(regions)
    now = timezone.now()
    out = []
    for r in regions:
        state, cov = region_state(r, now=now), coverage[r.pk]
        out.append(
            AccountRegionOut(
                id=r.pk,
                account=r.account.label,
                region=r.code,
                hidden=r.hidden,
                sandbox=r.in_sandbox,
                sending_enabled=r.sending_enabled,
                enforcement_status=r.enforcement_status,
                quota=Quota(
                    max_24_hour_send=r.max_24_hour_send,
                    max_send_rate=r.max_send_rate,
                    sent_last_24_hours=r.sent_last_24_hours,
                ),
                review=Review(status=r.review_status, case_id=r.review_case_id),
                mail_type=r.mail_type,
                stale=state.stale,
                last_success_at=r.last_success_at,
                last_error=state.last_error,
                coverage=Coverage(
                    usable_here=cov.usable_here,
                    usable_elsewhere=cov.usable_elsewhere,
                    missing_here=cov.missing_count,
                ),
            )
        )
    return out


@router.post(
    "/send-check", response={200: SendCheckOut, 400: Error, **READ_ERRORS}, tags=["send check"]
)
def post_send_check(request: HttpRequest, body: SendCheckIn) -> SendCheckOut:
    """Would SES accept this message from this account-region now? Reads what the last sync
    saw (sends nothing) and answers with the error SES would return, word for word."""
    auth.can_read(request)
    try:
        account = resolve_account(body.account)
        result = send_check(
            account, body.region, body.sender, body.to, return_path=body.return_path
        )
    except (InvalidAddress, UnknownAccount, UnknownRegion) as err:
        return Status(400, Error(detail=str(err)))
    return SendCheckOut(
        accepted=result.accepted,
        error_code=result.error_code,
        message=result.message,
        error=result.error,
        reasons=list(result.reasons),
        fixes=list(result.fixes),
    )
