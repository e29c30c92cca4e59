"""Production-access review decisions as SES reported them, one row each (regions/reviews.py
writes and reads them). Imported by regions/models.py, so Django sees it as a model of the
regions app."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ReviewDecision(models.Model):
    """One production-access review status SES reported for a region (GetAccount
    Details.ReviewDetails {Status, CaseId}), when sesops first saw it: the request history
    shows each decision (PENDING, DENIED with its case, GRANTED...), not the first forever."""

    class Source(models.TextChoices):
        SUBMIT = "submit"  # read back right after a submission
        SYNC = "sync"

    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="review_decisions"
    )
    # The submission it answers: the region's latest one before it was seen (none when the
    # request was made outside sesops).
    request = models.ForeignKey(
        "regions.ProductionAccessRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    status = models.CharField(max_length=16)
    case_id = models.CharField(max_length=128, blank=True)
    observed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, choices=Source.choices)

    class Meta:
        ordering = ["observed_at", "id"]

    def __str__(self) -> str:
        return f"{self.region} {self.status} {self.case_id}".strip()
