"""SES's own advice per account-region: the open recommendations of Virtual Deliverability
Manager's Advisor (ListRecommendations), as the last successful read left them.

A model of the regions app (imported by regions/models.py): it names identities by the
name in their ARN, never by a foreign key, so regions stays below identities. The sync
(identities/sync/advice.py) replaces a region's rows in its one write transaction: a
recommendation SES no longer lists as OPEN (fixed, or gone) is deleted, not kept as FIXED.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


def account_advice(regions: Iterable[Any]) -> list[tuple[Any, list[SesRecommendation]]]:
    """Per region with VDM enabled (of `regions`, in their order), its open recommendations
    about something other than one of its identities (the ARN names a dedicated IP, the
    account, a configuration set, or another region's resource), high impact first. The
    identity pages show the rest. One query; none when no region has VDM enabled."""
    by_id = {r.pk: r for r in regions if r.vdm_enabled}
    if not by_id:
        return []
    found: dict[int, list[SesRecommendation]] = {}
    rows = SesRecommendation.objects.filter(region_id__in=by_id, identity_name="").order_by(
        "type", "resource_arn", "id"
    )
    for rec in rows:
        found.setdefault(rec.region_id, []).append(rec)
    return [
        (region, sorted(found[pk], key=lambda r: not r.high_impact))
        for pk, region in by_id.items()
        if pk in found
    ]
