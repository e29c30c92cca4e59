"""Submitting production-access requests (PutAccountDetails with ProductionAccessEnabled=true).

One submission may go to several sandbox regions of one account. Each region gets exactly one
ProductionAccessRequest row per attempt, holding what was asked, who asked and SES's answer:
`submitted` (SES accepted it; a review is running), `conflict` (SES answered Conflict because a
review is already running: nothing new was submitted, so no second "submitted" row exists) or
`error`. Every attempt is written to the audit log. No database transaction is held open across
the SES call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from regions import ses
from regions.events import record_event
from regions.models import Event, ProductionAccessRequest, Region, ReviewDecision, ReviewStatus
from regions.reviews import observe_review

log = logging.getLogger(__name__)

SUBJECT = "production_access"
_CONFLICT_CODES = {"ConflictException", "Conflict"}


@dataclass(frozen=True)
class AccessDetails:
    """What PutAccountDetails receives; the same for every region of one submission."""

    mail_type: str
    website_url: str
    contact_language: str = ""
    use_case_description: str = ""
    additional_contacts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RegionAnswer:
    """SES's answer for one region of a submission."""

    region: Region
    request: ProductionAccessRequest

    @property
    def outcome(self) -> str:
        return self.request.outcome

    @property
    def message(self) -> str:
        return self.request.ses_message


def is_conflict(err: ses.SesError) -> bool:
    return err.code in _CONFLICT_CODES or err.http_status == 409


def production_access_submit(
    *, regions: Sequence[Region], details: AccessDetails, user: Any
) -> list[RegionAnswer]:
    """Ask SES for production access in each region; store and audit each answer.

    Interactive: short SES timeouts, and no region is started once the page's time budget
    is spent (those are answered "not tried" and stored as errors, so nothing is silent)."""
    answers = []
    with ses.interactive():
        deadline = time.monotonic() + ses.INTERACTIVE_START_WITHIN
        for region in regions:
            if time.monotonic() > deadline:
                answers.append(_not_tried(region=region, details=details, user=user))
            else:
                answers.append(_submit_one(region=region, details=details, user=user))
    return answers


def _not_tried(*, region: Region, details: AccessDetails, user: Any) -> RegionAnswer:
    message = "Not sent: SES was slow and the page had to answer; submit this region again."
    request = _store(
        region=region, details=details, user=user,
        outcome=ProductionAccessRequest.Outcome.ERROR, message=message,
        review_status="", case_id="",
    )  # fmt: skip
    return RegionAnswer(region=region, request=request)


def _submit_one(*, region: Region, details: AccessDetails, user: Any) -> RegionAnswer:
    client = ses.client_for(region.account, region.code)
    review_status, case_id = "", ""
    try:
        client.put_account_details(
            mail_type=details.mail_type,
            website_url=details.website_url,
            contact_language=details.contact_language or None,
            use_case_description=details.use_case_description or None,
            additional_contacts=list(details.additional_contacts) or None,
            production_access=True,
        )
    except ses.SesError as err:
        outcome = (
            ProductionAccessRequest.Outcome.CONFLICT
            if is_conflict(err)
            else ProductionAccessRequest.Outcome.ERROR
        )
        message = str(err)
        if err.unanswered:
            message = f"{err.message}; the next sync shows whether the request was received."
        if outcome == ProductionAccessRequest.Outcome.CONFLICT:
            # SES's own words ("...already in progress"), and a review is running in SES
            # whatever our last sync said.
            message = err.message or message
            review_status = ReviewStatus.PENDING
    else:
        outcome = ProductionAccessRequest.Outcome.SUBMITTED
        review_status, case_id = _read_back_review(client, region)
        message = "SES accepted the request; the review is " + (review_status or "PENDING")
        if case_id:
            message += f" (case {case_id})"
        message += "."
    return RegionAnswer(
        region=region,
        request=_store(
            region=region,
            details=details,
            user=user,
            outcome=outcome,
            message=message,
            review_status=review_status,
            case_id=case_id,
        ),
    )


def _read_back_review(client: Any, region: Region) -> tuple[str, str]:
    """One GetAccount after a successful submission, for the review status and case id.

    The request is already accepted at this point, so a failure here only loses the case id
    until the next sync; it is logged, not reported as a failed submission.
    """
    try:
        state = client.get_account()
    except ses.SesError as err:
        log.warning("GetAccount after PutAccountDetails failed in %s: %s", region, err)
        return ReviewStatus.PENDING, ""
    status = state.review_status or ReviewStatus.PENDING
    case_id = state.review_case_id
    return status, case_id


def _show_review(
    region: Region, details: AccessDetails, review_status: str, case_id: str, *, submitted: bool
) -> None:
    """Show the running review at once (button disabled) instead of after the next sync."""
    if not review_status or (review_status == region.review_status and not case_id):
        return
    fields: dict[str, Any] = {"review_status": review_status, "changed_at": timezone.now()}
    if case_id:
        fields["review_case_id"] = case_id
    if submitted:
        fields.update(
            mail_type=details.mail_type,
            website_url=details.website_url,
            contact_language=details.contact_language,
            use_case_description=details.use_case_description,
            additional_contacts=list(details.additional_contacts),
        )
    Region.objects.filter(pk=region.pk).update(**fields)
    for name, value in fields.items():
        setattr(region, name, value)


def _store(
    *,
    region: Region,
    details: AccessDetails,
    user: Any,
    outcome: str,
    message: str,
    review_status: str,
    case_id: str,
) -> ProductionAccessRequest:
    submitted = outcome == ProductionAccessRequest.Outcome.SUBMITTED
    with transaction.atomic():
        request = ProductionAccessRequest.objects.create(
            region=region,
            submitted_by=user if getattr(user, "pk", None) else None,
            mail_type=details.mail_type,
            website_url=details.website_url,
            contact_language=details.contact_language,
            use_case_description=details.use_case_description,
            additional_contacts=list(details.additional_contacts),
            outcome=outcome,
            ses_message=message,
            review_status=review_status,
            case_id=case_id,
        )
        before = region.review_status
        _show_review(region, details, review_status, case_id, submitted=submitted)
        if submitted:
            observe_review(
                region,
                status=review_status,
                case_id=case_id,
                source=ReviewDecision.Source.SUBMIT,
                at=request.submitted_at,
            )
        record_event(
            kind=Event.Kind.ACTION,
            actor=user if getattr(user, "pk", None) else None,
            actor_name=getattr(user, "get_username", lambda: "")(),
            account=region.account,
            region=region,
            subject=SUBJECT,
            before=before,
            after=outcome if not submitted else (review_status or outcome),
            result=Event.Result.OK if submitted else Event.Result.ERROR,
            message=message,
        )
    return request
