"""Probe the DNS of domain identities and store what was found (DnsCheck rows, events, a run).

The network work happens outside any transaction; each regional identity's results are then
written in one short transaction. Changes of verdict write `Event`s (kind "dns")."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from identities.blockers.deed import deed_parent_ok
from identities.blockers.flags import refresh_blocking
from identities.dns.expected import ExpectedRecord, expected_records, spec_for
from identities.dns.names import DnsInputError, ascii_name
from identities.dns.probe import ProbeConfig, Prober, ZoneSerials
from identities.dns.verdict import (
    UNKNOWN,
    RecordVerdict,
    SesState,
    add_cross_region_diagnoses,
    judge_domain,
)
from identities.models import DnsCheck, Identity, RegionalIdentity
from regions.events import build_event, record_events
from regions.models import Event, SyncRun

log = logging.getLogger(__name__)


class UnknownDomain(DnsInputError):
    """No domain identity of that name is known (sync first, or check the spelling)."""


def probe_config() -> ProbeConfig:
    """The probe's settings; an unparsable SESOPS_DNS_RESOLVER raises InvalidResolverSetting."""
    also = settings.SESOPS_DNS_EXTRA_NAMESERVERS
    if isinstance(also, str):
        also = [a.strip() for a in also.split(",")]
    return ProbeConfig.from_settings(
        settings.SESOPS_DNS_RESOLVER,
        settings.SESOPS_DNS_PORT,
        settings.SESOPS_DNS_TIMEOUT,
        settings.SESOPS_DNS_CONCURRENCY,
        also,
    )


def domain_regionals(domains: Sequence[str] | None = None) -> QuerySet[RegionalIdentity]:
    """Present domain identities in active accounts' visible regions (optionally some domains)."""
    rows = RegionalIdentity.objects.filter(
        identity__kind=Identity.Kind.DOMAIN,
        present=True,
        region__account__is_active=True,
        region__hidden=False,
    ).select_related("identity", "region__account")
    if domains is not None:
        rows = rows.filter(identity__name__in=list(domains))
    return rows.order_by("identity__name", "region__code")


@dataclass
class ProbeOutcome:
    run: SyncRun
    verdicts: dict[int, list[RecordVerdict]] = field(default_factory=dict)  # by regional id
    errors: dict[int, str] = field(default_factory=dict)  # input errors by regional id


def probe_domain(
    domain: str, *, trigger: str = "user", actor=None, config: ProbeConfig | None = None
) -> ProbeOutcome:
    """Probe one domain now (every region it is in). Raises UnknownDomain / DnsInputError."""
    name = ascii_name(domain).name
    rows = list(domain_regionals([name]))
    if not rows:
        raise UnknownDomain(f"no domain identity named {name!r} is known (run a sync first?)")
    return probe_regionals(rows, trigger=trigger, actor=actor, config=config)


def probe_all(
    *,
    domains: Sequence[str] | None = None,
    trigger: str = "beat",
    task_id: str = "",
    config: ProbeConfig | None = None,
) -> ProbeOutcome:
    """Probe every domain identity (or those named). Unknown names raise UnknownDomain."""
    names = None
    if domains:
        names = [ascii_name(d).name for d in domains]
    rows = list(domain_regionals(names))
    if names:
        missing = sorted(set(names) - {ri.identity.name for ri in rows})
        if missing:
            listed = ", ".join(repr(m) for m in missing)
            raise UnknownDomain(f"no domain identity named {listed} is known (run a sync first?)")
    return probe_regionals(rows, trigger=trigger, task_id=task_id, config=config)


def probe_regionals(
    rows: Sequence[RegionalIdentity],
    *,
    trigger: str,
    task_id: str = "",
    actor=None,
    config: ProbeConfig | None = None,
) -> ProbeOutcome:
    config = config or probe_config()
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.DNS, trigger=trigger[:32], task_id=task_id, identities=len(rows)
    )
    outcome = ProbeOutcome(run)
    started = time.monotonic()
    try:
        _probe(rows, outcome, config, trigger=trigger, actor=actor)
        unknown = any(v.verdict == UNKNOWN for vs in outcome.verdicts.values() for v in vs)
        run.status = (
            SyncRun.Status.PARTIAL if outcome.errors or unknown else SyncRun.Status.SUCCEEDED
        )
        run.error = "\n".join(sorted(set(outcome.errors.values())))[:2000]
    except BaseException as exc:
        run.status = SyncRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at", "calls", "changes"])
        log.info(
            "dns probe: %s, %d regional identities, %d queries, %d changes, %.1fs",
            run.status,
            len(rows),
            run.calls,
            run.changes,
            time.monotonic() - started,
        )
    return outcome


# A regional identity, its expected records and the note on its name (IDNA).
_Planned = tuple[RegionalIdentity, list[ExpectedRecord], str]


def _probe(
    rows: Sequence[RegionalIdentity], outcome: ProbeOutcome, config: ProbeConfig, *, trigger, actor
) -> None:
    """Plan, ask every nameserver once for all the records, judge each domain, store."""
    planned: list[_Planned] = []
    for ri in rows:
        try:
            records = expected_records(spec_for(ri))
            planned.append((ri, records, ascii_name(ri.identity.name).note))
        except DnsInputError as exc:
            outcome.errors[ri.pk] = str(exc)
    prober = Prober(config)
    wanted = [(r.name, r.rtype) for _, records, _ in planned for r in records]
    hints = {r.name: r.zone_hint for _, records, _ in planned for r in records}
    probes = prober.probe(wanted, hints)
    serials = _zone_serials(prober, [ri for ri, _, _ in planned])
    outcome.run.calls = prober.queries
    _judge(planned, probes, outcome)
    for ri, _, _ in planned:
        if ri.pk in outcome.verdicts:
            outcome.run.changes += store_verdicts(
                ri, outcome.verdicts[ri.pk], trigger=trigger, actor=actor
            )
    if serials is not None:
        store_zone_serials([ri.identity for ri, _, _ in planned], serials)


def _judge(planned: list[_Planned], probes, outcome: ProbeOutcome) -> None:
    """Each domain's verdicts, then the diagnoses that compare one domain's regions."""
    by_identity: dict[int, dict[str, list[RecordVerdict]]] = {}
    parents: dict[int, dict[str, bool]] = {}
    for ri, records, note in planned:
        ses = SesState(ri.verification_status, ri.dkim_status, ri.mail_from_status)
        try:
            verdicts = judge_domain(records, probes, ses, note)
        except Exception as exc:  # one domain's failure never aborts the others
            log.exception("probe: judging %s failed", ri.identity.name)
            outcome.errors[ri.pk] = f"could not judge the records: {exc}"
            continue
        outcome.verdicts[ri.pk] = verdicts
        by_identity.setdefault(ri.identity_id, {})[ri.region.code] = verdicts
        parents.setdefault(ri.identity_id, {})[ri.region.code] = deed_parent_ok(
            ri.verification_status, ri.dkim_origin
        )
    for identity_id, by_region in by_identity.items():
        add_cross_region_diagnoses(by_region, parents[identity_id])


def _zone_serials(
    prober: Prober, rows: Sequence[RegionalIdentity]
) -> dict[str, ZoneSerials] | None:
    """Each domain's zone serial as every nameserver serves it now: one SOA query per
    nameserver of each zone (the serial SES saw is compared with it). Never fails the probe."""
    try:
        return prober.zone_serials([ascii_name(ri.identity.name).name for ri in rows])
    except Exception:
        log.exception("probe: reading the zones' SOA serials failed")
        return None


def store_zone_serials(identities: Iterable[Identity], serials: dict[str, ZoneSerials]) -> None:
    """Keep on each domain identity its zone's serial per nameserver ({} when no zone)."""
    now = timezone.now()
    changed = []
    for identity in {i.pk: i for i in identities}.values():
        found = serials.get(ascii_name(identity.name).name)
        identity.zone_soa = {"zone": found.zone, "serials": found.serials} if found else {}
        identity.zone_soa_checked_at = now
        changed.append(identity)
    Identity.objects.bulk_update(changed, ["zone_soa", "zone_soa_checked_at"], batch_size=500)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def store_verdicts(
    ri: RegionalIdentity, verdicts: Iterable[RecordVerdict], *, trigger: str, actor=None
) -> int:
    """Upsert one regional identity's DnsChecks; drop the ones no longer expected; events for
    verdict changes (and for new records that are not ok). Returns the number of changes."""
    now = timezone.now()
    events: list[Event] = []
    changes = 0
    with transaction.atomic():
        existing = {(c.purpose, c.name, c.rtype): c for c in ri.dns_checks.select_for_update()}
        kept = set()
        for v in verdicts:
            key = (v.record.purpose, v.record.name, v.record.rtype)
            kept.add(key)
            old = existing.get(key)
            severity = (
                DnsCheck.Severity.BLOCKING if v.record.blocking else DnsCheck.Severity.WARNING
            )
            changed = old is None or (old.verdict, old.diagnosis) != (v.verdict, v.diagnosis)
            fields = {
                "expected": v.record.value,
                "severity": severity,
                "verdict": v.verdict,
                "diagnosis": v.diagnosis,
                "answers": v.answers,
                "checked_at": now,
            }
            if changed:
                fields["changed_at"] = now
            DnsCheck.objects.update_or_create(
                regional_identity=ri,
                purpose=key[0],
                name=key[1],
                rtype=key[2],
                defaults=fields,
            )
            before = old.verdict if old else ""
            if before != v.verdict and (old is not None or v.verdict != "ok"):
                changes += 1
                events.append(
                    build_event(
                        kind=Event.Kind.DNS,
                        actor=actor,
                        actor_name="" if actor else trigger,
                        region=ri.region,
                        identity_name=ri.identity.name,
                        subject=f"dns {v.record.purpose} {v.record.rtype}",
                        before=before or "new",
                        after=v.verdict,
                        message=f"{v.record.name}: {_first_line(v.diagnosis) or v.verdict}",
                    )
                )
        gone = [c.pk for k, c in existing.items() if k not in kept]
        if gone:
            DnsCheck.objects.filter(pk__in=gone).delete()
        if changes or gone:
            RegionalIdentity.objects.filter(pk=ri.pk).update(changed_at=now)
        refresh_blocking([ri.pk])
        record_events(events)
    return changes
