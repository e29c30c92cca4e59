"""Alerts' own tables: channels and their rules, open problems, alerts, and the outbox.

Nothing here is written by the lower apps: `alerts` follows their events (regions/events.py
calls it back inside the writer's transaction) and their state (the sweep).

- `Problem`: one condition that is true now (an identity blocked in a region, a region on
  probation...), open until it clears. Its `fingerprint` says what exactly is wrong: an
  unchanged fingerprint is no news (no repeat until a rule's re-alert interval).
- `Alert`: one thing worth telling (a problem opened, changed, cleared or still open; a
  one-off notice such as a review decision; a test).
- `Delivery`: the outbox. One message to one channel, holding one alert or a digest of
  several; its `key` is the idempotency key the receiver de-duplicates by, fixed when the
  row is written and the same on every retry.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone

from regions.models import AwsAccount, Region


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Kind(models.TextChoices):
    IDENTITY_BLOCKED = "identity_blocked", "Identity blocked"
    DNS_REVOCATION = "dns_revocation", "DNS record gone while SES says verified"
    DKIM_FAILURE = "dkim_failure", "DKIM failing"
    MAIL_FROM_FAILURE = "mail_from_failure", "MAIL FROM failing"
    VERIFICATION_FAILED = "verification_failed", "Verification failed"
    ENFORCEMENT = "enforcement", "Account probation / shutdown"
    SENDING_PAUSED = "sending_paused", "Sending paused"
    QUOTA = "quota", "Quota nearly used"
    REVIEW_DECIDED = "review_decided", "Production-access review decided"
    SYNC_FAILING = "sync_failing", "Sync failing"
    REGION_STALE = "region_stale", "Region data stale"
    TEST = "test", "Test alert"


def new_webhook_secret() -> str:
    # The Standard Webhooks format: "whsec_" + base64 of the key bytes.
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class Channel(models.Model):
    """Where alerts go: an email list, a signed webhook, or a chat service (Apprise URL)."""

    class Type(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook (signed JSON)"
        APPRISE = "apprise", "Chat / paging (Apprise URL)"

    name = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=16, choices=Type.choices)
    # email: comma-separated addresses; webhook: https URL; apprise: an Apprise URL.
    target = models.TextField()
    secret = models.CharField(max_length=100, blank=True, default=new_webhook_secret)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """Which alerts a channel gets. Empty lists mean "all"."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rules")
    kinds = models.JSONField(default=list, blank=True)  # Kind values
    accounts = models.ManyToManyField(AwsAccount, blank=True)
    regions = models.JSONField(default=list, blank=True)  # region codes
    min_severity = models.CharField(
        max_length=16, choices=Severity.choices, default=Severity.WARNING
    )
    send_resolved = models.BooleanField(default=True)
    # 0: never repeat an unchanged open problem.
    realert_minutes = models.PositiveIntegerField(default=0)
    # 0: send each alert at once; N: one message per N minutes with what arrived meanwhile.
    digest_minutes = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel__name", "id"]

    def __str__(self) -> str:
        return f"{self.channel} rule {self.pk}"


class _About(models.Model):
    """What a problem or an alert is about, and how to say it."""

    kind = models.CharField(max_length=32, choices=Kind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)  # a path of sesops' pages
    account = models.ForeignKey(
        AwsAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_name = models.CharField(max_length=320, blank=True)

    class Meta:
        abstract = True


class Problem(_About):
    """A condition that holds now, until it clears (`resolved_at`)."""

    # What it is about: "region:<id>" or "ri:<region id>:<identity name>".
    key = models.CharField(max_length=400)
    fingerprint = models.CharField(max_length=500, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(resolved_at__isnull=True),
                name="alerts_one_open_problem_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Alert(_About):
    class State(models.TextChoices):
        FIRING = "firing", "Firing"
        CHANGED = "changed", "Changed"
        REMINDER = "reminder", "Still open"
        RESOLVED = "resolved", "Resolved"
        NOTICE = "notice", "Notice"
        TEST = "test", "Test"

    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    state = models.CharField(max_length=16, choices=State.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"[{self.state}] {self.text}"


class Delivery(models.Model):
    """One message to one channel (the outbox row). Claimed by a worker with a lease."""

    class Status(models.TextChoices):
        COLLECTING = "collecting", "Collecting (digest)"
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL)
    alerts = models.ManyToManyField(Alert, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # collecting: when the digest is sealed; pending: not before this (retry backoff).
    due_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    response = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.key} to {self.channel_id}: {self.status}"
