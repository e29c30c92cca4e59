"""AWS accounts, the SES regions of each, account-level SES state, and the audit/sync log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

account_id_validator = RegexValidator(r"^\d{12}$", "An AWS account id is 12 digits.")


class AwsAccount(models.Model):
    """One AWS account. With no profile and no role it uses boto3's default credential chain."""

    label = models.SlugField(max_length=64, unique=True)
    account_id = models.CharField(
        max_length=12, blank=True, validators=[account_id_validator], help_text="From STS."
    )
    profile_name = models.CharField(
        max_length=128, blank=True, help_text="Named profile in the AWS config (optional)."
    )
    role_arn = models.CharField(max_length=2048, blank=True, help_text="Role to assume (optional).")
    external_id = models.CharField(max_length=1224, blank=True)
    # Route 53 may live elsewhere (a DNS account, a narrower role): these, when set, are used
    # for "Publish to Route 53" instead of the profile / role above (same external id).
    dns_profile_name = models.CharField(
        max_length=128, blank=True, help_text="Named profile for Route 53 (optional)."
    )
    dns_role_arn = models.CharField(
        max_length=2048, blank=True, help_text="Role to assume for Route 53 (optional)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Account discovery (regions/discovery.py) from an AWS Organizations management account:
    # the state ListAccounts last reported ("" = never seen there) and when the account was
    # first seen closed, suspended or gone from the listing (its rows and history are kept).
    org_status = models.CharField(max_length=24, blank=True, help_text="From AWS Organizations.")
    org_closed_at = models.DateTimeField(null=True, blank=True)
    discovered_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovered_accounts",
        help_text="The Organizations account it was discovered from.",
    )

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class ReviewStatus(models.TextChoices):
    PENDING = "PENDING"
    FAILED = "FAILED"
    GRANTED = "GRANTED"
    DENIED = "DENIED"


class Region(models.Model):
    """One SES region of one account, with the account-level state SES reports there."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="regions")
    code = models.CharField(max_length=32)
    hidden = models.BooleanField(default=False, help_text="Hide from the grid and coverage.")

    # GetAccount. None = never read successfully.
    production_access_enabled = models.BooleanField(null=True)
    sending_enabled = models.BooleanField(null=True)
    enforcement_status = models.CharField(max_length=32, blank=True)
    max_24_hour_send = models.FloatField(null=True, blank=True)  # -1 = unlimited
    max_send_rate = models.FloatField(null=True, blank=True)
    sent_last_24_hours = models.FloatField(null=True, blank=True)
    mail_type = models.CharField(max_length=16, blank=True)
    website_url = models.URLField(max_length=1000, blank=True)
    contact_language = models.CharField(max_length=4, blank=True)
    use_case_description = models.TextField(blank=True)
    additional_contacts = models.JSONField(default=list, blank=True)
    review_status = models.CharField(max_length=16, blank=True, choices=ReviewStatus.choices)
    review_case_id = models.CharField(max_length=128, blank=True)
    account_synced_at = models.DateTimeField(null=True, blank=True)
    account_error = models.TextField(blank=True)
    # VDM (GetAccount's VdmAttributes): None = never read. Its Advisor's recommendations are
    # SesRecommendation rows (regions/advice.py), last read at `advice_synced_at`.
    vdm_enabled = models.BooleanField(null=True)
    advice_synced_at = models.DateTimeField(null=True, blank=True)
    advice_error = models.TextField(blank=True)
    # ListMultiRegionEndpoints (the global endpoints whose primary region this is).
    endpoints_synced_at = models.DateTimeField(null=True, blank=True)
    endpoints_error = models.TextField(blank=True)

    # Sync bookkeeping.
    last_sync_started_at = models.DateTimeField(null=True, blank=True)
    last_sync_finished_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.TextField(blank=True)
    last_sync_error_at = models.DateTimeField(null=True, blank=True)
    # The running sync's lease (identities/sync/lease.py): claimed with a conditional UPDATE
    # when free or lapsed, renewed while the sync lives, so a dead worker frees it quickly.
    sync_lock_until = models.DateTimeField(null=True, blank=True)
    sync_lease = models.CharField(max_length=32, blank=True)  # the holder's token
    # Last change visible on the dashboard (live refresh compares it).
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["account__label", "code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="region_unique_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.account.label}/{self.code}"

    @property
    def in_sandbox(self) -> bool | None:
        if self.production_access_enabled is None:
            return None
        return not self.production_access_enabled

    @property
    def current_sync_error(self) -> str:
        """The error of the latest sync when it failed; "" when a success came after it (an
        older error is history). The one place this rule is written."""
        if self.last_sync_error and (
            self.last_success_at is None
            or self.last_sync_error_at is None
            or self.last_sync_error_at >= self.last_success_at
        ):
            return self.last_sync_error
        return ""

    @property
    def current_error(self) -> str:
        """Why this region cannot be read now: its latest sync's error, else the account's."""
        return self.current_sync_error or self.account_error

    def is_stale(self, now: datetime | None = None) -> bool:
        """No successful sync within SESOPS_STALE_AFTER seconds, or the last sync failed."""
        now = now or timezone.now()
        if self.last_success_at is None or self.current_sync_error:
            return True
        return now - self.last_success_at > timedelta(seconds=settings.SESOPS_STALE_AFTER)


class ProductionAccessRequest(models.Model):
    """A request to leave the sandbox in one region: what was asked, by whom, SES's answer."""

    class Outcome(models.TextChoices):
        SUBMITTED = "submitted"
        CONFLICT = "conflict"
        ERROR = "error"

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="access_requests")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    mail_type = models.CharField(max_length=16)
    website_url = models.URLField(max_length=1000)
    contact_language = models.CharField(max_length=4, blank=True)
    use_case_description = models.TextField(blank=True)
    additional_contacts = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    ses_message = models.TextField(blank=True)
    review_status = models.CharField(max_length=16, blank=True)
    case_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.region} {self.submitted_at:%Y-%m-%d} {self.outcome}"


class Event(models.Model):
    """Append-only history: status changes seen by sync, user actions, failures. The audit log."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        ACTION = "action", "User action"
        SYNC_ERROR = "sync_error", "Sync failure"
        ACCOUNT = "account", "Account change"
        DNS = "dns", "DNS change"

    class Result(models.TextChoices):
        OK = "ok"
        ERROR = "error"
        REFUSED = "refused"  # not attempted: a rule said no (e.g. the resend cooldown)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)  # "sync", a username...
    account = models.ForeignKey(AwsAccount, null=True, blank=True, on_delete=models.SET_NULL)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    identity_name = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.CharField(max_length=64, blank=True)  # field or action name
    before = models.CharField(max_length=255, blank=True)
    after = models.CharField(max_length=255, blank=True)
    result = models.CharField(max_length=8, blank=True, choices=Result.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.identity_name} {self.subject}"


class SyncRun(models.Model):
    """One sync of one region (or one DNS probe), with its figures, for the UI and the log."""

    class Kind(models.TextChoices):
        SES = "ses", "SES sync"
        DNS = "dns", "DNS probe"

    class Status(models.TextChoices):
        QUEUED = "queued"  # a task is on its way (Sync now, beat); one active run per region
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"  # finished, but some calls failed; nothing was deleted
        FAILED = "failed"
        SKIPPED = "skipped"  # another sync of the region held the lock

    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="sync_runs"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=32, blank=True)  # beat, command, user name
    task_id = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    identities = models.PositiveIntegerField(default=0)
    changes = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # "Sync now" clicked 30 times, beat and the button together: one queued or running
            # SES sync per region (identities/sync/enqueue.py).
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(kind="ses", status__in=["queued", "running"]),
                name="syncrun_one_active_ses_per_region",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.kind} {self.status}"

    @property
    def duration(self) -> timedelta | None:
        return (self.finished_at - self.started_at) if self.finished_at else None


# Defined apart (regions/advice.py, regions/models_endpoints.py, regions/models_reviews.py),
# registered with the app here.
from regions.advice import SesRecommendation  # noqa: E402, F401
from regions.models_endpoints import GlobalEndpoint  # noqa: E402, F401
from regions.models_reviews import ReviewDecision  # noqa: E402, F401
