"""SES identities, their state in each region, and the DNS records each one needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from regions import ses_types
from regions.models import AwsAccount, Region


class Identity(models.Model):
    """One logical identity of one account: a normalised email address or an IDNA domain."""

    class Kind(models.TextChoices):
        EMAIL = ses_types.EMAIL, "Email address"
        DOMAIN = ses_types.DOMAIN, "Domain"

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="identities")
    name = models.CharField(max_length=320)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The domain itself, or an address's domain part: an address under a verified domain
    # can send, so the grid and send check look the domain up by this column.
    domain = models.CharField(max_length=253, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A domain's zone SOA serial as each authoritative nameserver served it at the last DNS
    # probe: {"zone": apex, "serials": {nameserver host: serial or null}} (one zone for every
    # region; compared with the serial SES saw, RegionalIdentity.verification_soa_serial).
    zone_soa = models.JSONField(default=dict, blank=True)
    zone_soa_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="identity_unique_per_account")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_email(self) -> bool:
        return self.kind == self.Kind.EMAIL


# The SES state of one regional identity, declared once. The sync watches these fields (a
# change is an event); the blockers engine reads ENGINE_FIELDS (IdentityState has the same
# names), which the grid loads and the report prints; "add to regions" stores the DKIM ones.
WATCHED_FIELDS = (
    "present",
    "verification_status",
    "verified_for_sending",
    "sending_enabled",
    "verification_error_type",
    "dkim_signing_enabled",
    "dkim_status",
    "dkim_tokens",
    "dkim_origin",
    "dkim_signing_zone",
    "mail_from_domain",
    "mail_from_status",
    "mail_from_behavior",
)
# SES's own view of its last DNS look (GetEmailIdentity VerificationInfo): stored by the sync,
# never an event (they move on every look), shown beside what the zone serves now.
SES_LOOK_FIELDS = (
    "verification_last_checked_at",
    "verification_last_success_at",
    "verification_soa_serial",
    "verification_soa_primary_ns",
)
RECORD_FIELDS = ("dkim_tokens", "dkim_signing_zone")  # only the expected DNS records read these
ENGINE_FIELDS = tuple(f for f in WATCHED_FIELDS if f not in RECORD_FIELDS)
DKIM_FIELDS = tuple(f for f in WATCHED_FIELDS if f.startswith("dkim_"))


class Status(models.TextChoices):
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    NOT_STARTED = "NOT_STARTED"


class RegionalIdentity(models.Model):
    """An identity as SES holds it in one region."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="regional")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="regional_identities")
    # False once a complete, successful listing no longer returns it (never on a partial one).
    present = models.BooleanField(default=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    verification_status = models.CharField(max_length=24, blank=True, choices=Status.choices)
    verified_for_sending = models.BooleanField(null=True)
    sending_enabled = models.BooleanField(null=True)
    verification_token = models.CharField(max_length=255, blank=True)  # legacy _amazonses TXT
    verification_error_type = models.CharField(max_length=64, blank=True)
    verification_last_checked_at = models.DateTimeField(null=True, blank=True)
    verification_last_success_at = models.DateTimeField(null=True, blank=True)
    # VerificationInfo.SOARecord: the zone's SOA as SES saw it at its last check.
    verification_soa_serial = models.PositiveBigIntegerField(null=True, blank=True)
    verification_soa_primary_ns = models.CharField(max_length=253, blank=True)

    dkim_signing_enabled = models.BooleanField(null=True)
    dkim_status = models.CharField(max_length=24, blank=True, choices=Status.choices)
    dkim_tokens = models.JSONField(default=list, blank=True)
    dkim_origin = models.CharField(max_length=64, blank=True)  # AWS_SES | EXTERNAL | AWS_SES_<R>
    dkim_signing_zone = models.CharField(max_length=253, blank=True)

    mail_from_domain = models.CharField(max_length=253, blank=True)
    mail_from_status = models.CharField(max_length=24, blank=True)
    mail_from_behavior = models.CharField(max_length=24, blank=True)
    # Blocked here by its own state (not the account's)? Kept by identities.blockers.flags, which
    # every writer calls; the grid counts it in SQL. NULL = not computed yet.
    blocking = models.BooleanField(null=True)

    first_seen_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(null=True, blank=True)
    details_synced_at = models.DateTimeField(null=True, blank=True)  # last GetEmailIdentity
    # Last change visible on the dashboard; live refresh asks "anything newer than T?".
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["identity__name", "region__code"]
        verbose_name_plural = "regional identities"
        constraints = [
            models.UniqueConstraint(fields=["identity", "region"], name="regional_identity_unique")
        ]
        indexes = [
            models.Index(fields=["region", "present"]),
            # The grid's blocked counters read the few blocked rows only.
            models.Index(
                fields=["region", "identity"],
                condition=models.Q(blocking=True, present=True),
                name="ri_blocked",
            ),
            models.Index(
                fields=["region"],
                condition=models.Q(blocking__isnull=True),
                name="ri_blocking_unknown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identity.name} @ {self.region.code}"


# Verdicts that make blockers and records to publish (`unknown` never does: it is not "missing").
PROBLEM_VERDICTS = ("missing", "wrong_value", "wrong_type", "partial")


class DnsCheck(models.Model):
    """One DNS record SES expects for a domain in one region, and what the nameservers serve."""

    class Verdict(models.TextChoices):
        OK = "ok"
        MISSING = "missing"
        WRONG_VALUE = "wrong_value", "wrong value"
        WRONG_TYPE = "wrong_type", "wrong type"
        PARTIAL = "partial"
        UNKNOWN = "unknown"

    class Severity(models.TextChoices):
        BLOCKING = "blocking"
        WARNING = "warning"

    regional_identity = models.ForeignKey(
        RegionalIdentity, on_delete=models.CASCADE, related_name="dns_checks"
    )
    purpose = models.CharField(max_length=32)  # dkim, byodkim, verification, mail_from_mx, ...
    name = models.CharField(max_length=253)
    rtype = models.CharField(max_length=16)
    expected = models.TextField()
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.BLOCKING)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    diagnosis = models.TextField(blank=True)
    # {nameserver host: {"address", "status", "rtype", "values": [...], "ttl"}}
    answers = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)
    # Indexed: the grid's live refresh takes Max(changed_at) on every poll.
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["purpose", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["regional_identity", "purpose", "name", "rtype"],
                name="dns_check_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.rtype}: {self.verdict}"


class DnsPublish(models.Model):
    """One change sesops sent to a DNS provider for a domain, followed to the end: in sync on
    every nameserver of the provider, then the domain probed again."""

    class Status(models.TextChoices):
        PENDING = "pending"  # sent; not on every provider nameserver yet
        INSYNC = "insync"  # on every provider nameserver; the re-probe is running
        DONE = "done"
        FAILED = "failed"

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="publishes")
    account = models.ForeignKey(AwsAccount, null=True, blank=True, on_delete=models.SET_NULL)
    provider = models.CharField(max_length=16, default="route53")
    zone_id = models.CharField(max_length=64)
    zone_name = models.CharField(max_length=253)
    change_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # [{"action", "name", "rtype", "ttl", "values"}]: the batch as sent (values after it).
    changes = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    insync_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.identity} {self.change_id} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class GridVersion(models.Model):
    """One row whose `n` moves in the same transaction as every write to what the grid shows
    (identities, their regional rows and DNS checks, regions, accounts): database triggers
    (migration 0006) bump it, so no writer can forget. The grid's page cache and its live
    refresh compare this number (identities/selectors/grid_version.py)."""

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"grid version {self.n}"
