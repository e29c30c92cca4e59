"""SES global (multi-region) endpoints of an account, as the sync last read them.

SES lists an endpoint only in its primary region (ListMultiRegionEndpoints, see
regions/ses.py), so each row belongs to the account-region that listed it: `primary`. The
secondary region is a region code: sesops may not sync that region (the coverage page then
says so). Imported by regions/models.py, so Django sees it as a model of the regions app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class GlobalEndpoint(models.Model):
    """One multi-region endpoint. An endpoint SES no longer lists is marked gone (`present`
    false, `gone_at`), not deleted: its history (events, when it went) stays readable, and
    an endpoint created again under the same name takes the row back with its new id."""

    class Status(models.TextChoices):
        CREATING = "CREATING"
        READY = "READY"
        FAILED = "FAILED"
        DELETING = "DELETING"

    primary = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="global_endpoints"
    )
    secondary_code = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=64)
    endpoint_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=16, blank=True)  # SES's value, even one we do not know
    ses_created_at = models.DateTimeField(null=True, blank=True)
    ses_updated_at = models.DateTimeField(null=True, blank=True)
    present = models.BooleanField(default=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    gone_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["primary__account__label", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["primary", "name"], name="global_endpoint_unique_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.primary.code} + {self.secondary_code})"
