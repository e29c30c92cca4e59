"""What is wrong now, read from the lower apps' state: one `Condition` per problem.

Pure reads (selectors). `evaluate.py` compares these with the open `Problem` rows. The only
module of alerts that knows the identities app's models and blockers engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from alerts.models import Kind, Severity
from identities.blockers.engine import blockers_for
from identities.blockers.queries import problem_checks, verified_domains
from identities.blockers.states import identity_state, region_state
from identities.blockers.types import Blocker
from identities.models import PROBLEM_VERDICTS, DnsCheck, Identity, RegionalIdentity
from regions.batching import batches
from regions.models import Region, SyncRun

FAILING = ("TEMPORARY_FAILURE", "FAILED")
# Account-level blockers have alerts of their own (paused, shutdown, quota): an identity's
# "blocked" alert names its own cause.
_ACCOUNT_CODES = {"sending_paused", "account_shutdown", "account_probation", "quota_exhausted"}
# Waiting for a first verification is the normal start of a new identity, not sending that
# broke: "blocked" alerts need another cause (the waiting shows on the grid).
_STARTING_CODES = {"verification_pending", "dkim_pending", "mail_from_pending"}
REVOCATION_NOTE = "SES revokes it within 72 h unless the record is republished"


@dataclass(frozen=True)
class Condition:
    kind: str
    key: str
    severity: str
    fingerprint: str
    text: str
    link: str
    region: Region
    identity_name: str = ""

    @property
    def account_id(self) -> int:
        return self.region.account_id


def region_key(region: Region) -> str:
    return f"region:{region.pk}"


def identity_key(region_id: int, name: str) -> str:
    return f"ri:{region_id}:{name}"


def _where(region: Region) -> str:
    return f"{region.account.label}/{region.code}"


# --- account-regions ------------------------------------------------------------------


def _failing_since(region: Region) -> datetime | None:
    """When the region's sync started failing (None: it works)."""
    if not region.current_sync_error:
        return None
    first = (
        SyncRun.objects.filter(
            region=region,
            kind=SyncRun.Kind.SES,
            status__in=[SyncRun.Status.FAILED, SyncRun.Status.PARTIAL],
        )
        .filter(**({"started_at__gt": region.last_success_at} if region.last_success_at else {}))
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return first or region.last_sync_error_at


def region_conditions(region: Region, now: datetime) -> list[Condition]:
    """Account-level conditions of one region (needs `region.account` loaded)."""
    where = _where(region)
    link = reverse("regions") + f"#region-{region.pk}"
    key = region_key(region)
    found: list[Condition] = []

    def add(kind: str, severity: str, fingerprint: str, text: str, url: str = link) -> None:
        found.append(Condition(kind, key, severity, fingerprint, text, url, region))

    status = (region.enforcement_status or "").upper()
    if status in ("PROBATION", "SHUTDOWN"):
        severity = Severity.CRITICAL if status == "SHUTDOWN" else Severity.WARNING
        add(Kind.ENFORCEMENT, severity, status, f"SES put {where} on {status.lower()}.")
    if region.sending_enabled is False:
        add(Kind.SENDING_PAUSED, Severity.CRITICAL, "paused", f"Sending is paused in {where}.")
    limit, sent = region.max_24_hour_send, region.sent_last_24_hours
    if limit and limit > 0 and sent is not None and sent / limit >= settings.SESOPS_ALERT_QUOTA:
        used = sent / limit
        full = used >= 1
        add(
            Kind.QUOTA,
            Severity.CRITICAL if full else Severity.WARNING,
            "full" if full else "high",
            f"{where} has used {used:.0%} of its 24-hour quota ({sent:,.0f} of {limit:,.0f}).",
        )
    since = _failing_since(region)
    threshold = timedelta(seconds=settings.SESOPS_ALERT_SYNC_FAILING_AFTER)
    if since is not None and now - since >= threshold:
        minutes = int((now - since).total_seconds() // 60)
        error = region.last_sync_error.splitlines()[0][:200]
        add(
            Kind.SYNC_FAILING,
            Severity.WARNING,
            "failing",
            f"The sync of {where} has been failing for {minutes} min: {error}",
        )
    stale_after = timedelta(seconds=settings.SESOPS_STALE_AFTER)
    if region.last_success_at is not None and now - region.last_success_at > stale_after:
        add(
            Kind.REGION_STALE,
            Severity.WARNING,
            "stale",
            f"The data of {where} is stale: last good sync "
            f"{region.last_success_at:%Y-%m-%d %H:%M} UTC.",
        )
    return found


# --- identities in a region -----------------------------------------------------------


_CHUNK = 500


def regional_chunks(
    region: Region, names: Iterable[str] | None
) -> Iterator[list[RegionalIdentity]]:
    """The region's rows that may hold a condition (blocked, failing, or a required DNS
    record wrong), of these identities and of the addresses under these domains (a domain's
    state decides theirs); of every identity when `names` is None. Rows that hold none are
    left in the database: loading 10,000 healthy rows to find nothing costs seconds.

    Read `_CHUNK` rows at a time, each row pointing at `region` (which the caller loaded with
    its account) rather than at a copy of its own: a region's first sync follows every
    identity of the region, inside the sync's write."""
    bad_dns = DnsCheck.objects.filter(
        regional_identity=OuterRef("pk"),
        severity=DnsCheck.Severity.BLOCKING,
        verdict__in=PROBLEM_VERDICTS,
    )
    rows = (
        RegionalIdentity.objects.filter(region=region, present=True)
        .filter(
            Q(blocking=True)
            | Q(dkim_status__in=FAILING)
            | Q(mail_from_status__in=FAILING)
            | Q(verification_status="FAILED")
            | Q(Exists(bad_dns))
        )
        .select_related("identity")
        .order_by("pk")
    )
    if names is not None:
        wanted = sorted(set(names))
        rows = rows.filter(Q(identity__name__in=wanted) | Q(identity__domain__in=wanted))
    for chunk in batches(rows.iterator(chunk_size=_CHUNK), _CHUNK):
        for ri in chunk:
            ri.region = region
        yield chunk


def _missing_records(rows: Sequence[RegionalIdentity]) -> dict[int, list[DnsCheck]]:
    out: dict[int, list[DnsCheck]] = {}
    domain_ids = [ri.pk for ri in rows if not ri.identity.is_email]
    checks = DnsCheck.objects.filter(
        regional_identity_id__in=domain_ids,
        severity=DnsCheck.Severity.BLOCKING,
        verdict__in=PROBLEM_VERDICTS,
    ).order_by("purpose", "name")
    for check in checks:
        out.setdefault(check.regional_identity_id, []).append(check)
    return out


def identity_conditions(rows: Sequence[RegionalIdentity]) -> list[Condition]:
    """Conditions of identities in their regions (rows with identity and region__account)."""
    present = [ri for ri in rows if ri.present]
    blockers = _blockers_of_blocked(present)
    missing = _missing_records(present)
    found: list[Condition] = []
    for ri in present:
        own = [
            b
            for b in blockers.get(ri.pk, [])
            if b.blocking and b.code not in _ACCOUNT_CODES | _STARTING_CODES
        ]
        found += _row_conditions(ri, own, missing.get(ri.pk, []))
    return found


def _blockers_of_blocked(rows: Sequence[RegionalIdentity]) -> dict[int, list[Blocker]]:
    """The engine's blockers of the rows flagged blocked (for the alert's reason), from the
    rows in hand: two queries (domains verified, DNS checks that are wrong)."""
    blocked = [ri for ri in rows if ri.blocking]
    if not blocked:
        return {}
    domains = verified_domains(
        {ri.identity.account_id for ri in blocked},
        {ri.identity.domain for ri in blocked if ri.identity.is_email},
    )
    checks = problem_checks([ri.pk for ri in blocked if not ri.identity.is_email])
    states = {}
    out: dict[int, list[Blocker]] = {}
    for ri in blocked:
        identity = ri.identity
        if ri.region_id not in states:
            states[ri.region_id] = region_state(ri.region)
        key = (identity.account_id, ri.region_id, identity.domain.lower())
        state = identity_state(ri, domain_verified=key in domains)
        dns = [] if identity.is_email else checks.get(ri.pk, [])
        out[ri.pk] = blockers_for(state, states[ri.region_id], dns)
    return out


def _row_conditions(
    ri: RegionalIdentity, own: Sequence[Blocker], gone: Sequence[DnsCheck]
) -> list[Condition]:
    region, identity = ri.region, ri.identity
    name, where = identity.name, _where(region)
    link = reverse("identity_detail", args=[identity.pk])
    key = identity_key(region.pk, name)
    found: list[Condition] = []

    def add(kind: str, severity: str, fingerprint: str, text: str, url: str = link) -> None:
        found.append(Condition(kind, key, severity, fingerprint, text, url, region, name))

    if ri.blocking and own:
        codes = ",".join(sorted({b.code for b in own}))
        add(
            Kind.IDENTITY_BLOCKED,
            Severity.CRITICAL,
            codes,
            f"{name} cannot send in {where}: {own[0].message}",
        )
    if (ri.verification_status == "SUCCESS" or ri.dkim_status == "SUCCESS") and gone:
        records = ", ".join(f"{c.rtype} {c.name}" for c in gone[:3])
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        add(
            Kind.DNS_REVOCATION,
            Severity.CRITICAL,
            ";".join(f"{c.name}/{c.verdict}" for c in gone),
            f"{records}{more} of {name}: {gone[0].get_verdict_display()} in DNS while SES "
            f"still says verified in {where}; {REVOCATION_NOTE}.",
            link + "#dns",
        )
    if identity.kind == Identity.Kind.DOMAIN and ri.dkim_status in FAILING:
        add(
            Kind.DKIM_FAILURE,
            Severity.CRITICAL if ri.dkim_status == "FAILED" else Severity.WARNING,
            ri.dkim_status,
            f"DKIM of {name} is {ri.dkim_status} in {where}.",
            link + "#dns",
        )
    if ri.mail_from_domain and ri.mail_from_status in FAILING:
        add(
            Kind.MAIL_FROM_FAILURE,
            Severity.CRITICAL if ri.mail_from_status == "FAILED" else Severity.WARNING,
            ri.mail_from_status,
            f"MAIL FROM {ri.mail_from_domain} of {name} is {ri.mail_from_status} in {where}.",
            link + "#dns",
        )
    if ri.verification_status == "FAILED":
        why = (
            "the verification link expired: resend it"
            if identity.is_email
            else "SES did not find the records in time"
        )
        add(
            Kind.VERIFICATION_FAILED,
            Severity.WARNING if identity.is_email else Severity.CRITICAL,
            "FAILED",
            f"Verification of {name} failed in {where}: {why}.",
        )
    return found
