"""SES's own advice per account-region: the open recommendations of Virtual Deliverability
Manager's Advisor (ListRecommendations), as the last successful read left them.

A model of the regions app (imported by regions/models.py): it names identities by the
name in their ARN, never by a foreign key, so regions stays below identities. The sync
(identities/sync/advice.py) replaces a region's rows in its one write transaction: a
recommendation SES no longer lists as OPEN (fixed, or gone) is deleted, not kept as FIXED.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SesRecommendation(models.Model):
    class Impact(models.TextChoices):
        HIGH = "HIGH"
        LOW = "LOW"

    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="recommendations"
    )
    resource_arn = models.TextField()
    # The identity the ARN names in this region ("" when it names something else).
    identity_name = models.CharField(max_length=320, blank=True)
    type = models.CharField(max_length=32)  # DKIM, DMARC, SPF, BIMI, COMPLAINT, BOUNCE...
    impact = models.CharField(max_length=8, blank=True)  # HIGH | LOW (as SES sends it)
    description = models.TextField(blank=True)  # SES's own text
    ses_created_at = models.DateTimeField(null=True, blank=True)
    ses_updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_id", "identity_name", "type", "id"]
        indexes = [
            models.Index(fields=["identity_name", "region"], name="recommendation_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.identity_name or self.resource_arn} {self.type}"

    @property
    def high_impact(self) -> bool:
        return self.impact == self.Impact.HIGH
