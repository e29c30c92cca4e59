"""The production-access review decisions SES reports (GetAccount Details.ReviewDetails),
kept one row each so a request's history reads submitted → PENDING → DENIED (case) →
resubmitted → GRANTED. Written by the submission (its read-back) and by every sync."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from regions.models import AwsAccount, ProductionAccessRequest, Region, ReviewDecision


def observe_review(
    region: Region,
    *,
    status: str,
    case_id: str,
    source: str,
    at: datetime | None = None,
) -> ReviewDecision | None:
    """Record SES's review status for `region` when it differs from the last one recorded;
    the region's latest submission before it takes it as its latest decision. A case id
    that arrives after its status completes that decision instead of making a new one."""
    if not status:
        return None
    at = at or timezone.now()
    last = ReviewDecision.objects.filter(region=region).order_by("-observed_at", "-id").first()
    if last is not None and last.status == status:
        if last.case_id == case_id or not case_id:
            return None
        if not last.case_id:
            last.case_id = case_id
            last.save(update_fields=["case_id"])
            _show_on_request(last)
            return last
    request = (
        ProductionAccessRequest.objects.filter(
            region=region,
            outcome=ProductionAccessRequest.Outcome.SUBMITTED,
            submitted_at__lte=at,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    decision = ReviewDecision.objects.create(
        region=region, request=request, status=status, case_id=case_id, observed_at=at,
        source=source,
    )  # fmt: skip
    _show_on_request(decision)
    return decision


def _show_on_request(decision: ReviewDecision) -> None:
    """The request row shows its latest decision."""
    if decision.request_id is None:
        return
    fields = {"review_status": decision.status}
    if decision.case_id:
        fields["case_id"] = decision.case_id
    ProductionAccessRequest.objects.filter(pk=decision.request_id).update(**fields)


def request_history(
    account: AwsAccount, limit: int
) -> tuple[list[ProductionAccessRequest], list[ReviewDecision]]:
    """The account's latest requests, each with the review decisions SES gave it in order
    (`decision_list`), and the decisions seen with no request from sesops (made in the
    console), newest first. Two queries, however many requests."""
    requests = list(
        ProductionAccessRequest.objects.filter(region__account=account)
        .select_related("region", "submitted_by")
        .order_by("-submitted_at", "-id")[:limit]
    )
    decisions = (
        ReviewDecision.objects.filter(region__account=account)
        .filter(Q(request_id__in=[r.pk for r in requests]) | Q(request__isnull=True))
        .select_related("region")
        .order_by("observed_at", "id")
    )
    by_request: dict[int, list[ReviewDecision]] = defaultdict(list)
    unrequested: list[ReviewDecision] = []
    for decision in decisions:
        if decision.request_id is None:
            unrequested.append(decision)
        else:
            by_request[decision.request_id].append(decision)
    for request in requests:
        request.decision_list = by_request.get(request.pk, [])
    return requests, unrequested[::-1][:limit]
