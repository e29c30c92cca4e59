"""Publish a domain's missing DNS records to Route 53: preview, apply, follow to the end.

1. `publish_preview` finds the public hosted zone that the DNS delegates the domain to (any
   active account), reads the record sets at the names SES needs, and plans the change
   (identities/dns/publish_plan.py). Nothing is written.
2. `publish_apply` plans again from a fresh read (the preview may be stale), keeps the items
   the user ticked, sends them as ONE ChangeResourceRecordSets batch, stores a DnsPublish
   row and an audit event; the caller (identities/actions.py) queues the follow-up task.
3. `follow_publish` (the task's body) asks GetChange once; while PENDING the task comes back
   later (no worker waits); at INSYNC it probes the domain again and stores the result.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from identities.dns.expected import expected_records
from identities.dns.names import DnsInputError
from identities.dns.probe import FOUND, Prober
from identities.dns.publish_plan import (
    PlanItem,
    Wanted,
    changes_for,
    names_to_read,
    plan,
    wanted_records,
)
from identities.dns.publish_zone import DELEGATED, ZoneChoice, choose_zone
from identities.dns.service import domain_regionals, probe_config, probe_domain, spec_for
from identities.models import DnsPublish, Identity
from regions.dns_types import INSYNC, DnsProviderError, DnsWriter, RecordChange, RecordSet
from regions.events import record_event
from regions.models import AwsAccount, Event
from regions.route53 import route53_for

log = logging.getLogger(__name__)
INSYNC_DEADLINE = timedelta(minutes=10)  # Route 53 says "usually within 60 seconds"
STALE_AFTER = timedelta(seconds=30)  # no worker progress by then: the page takes a step


def writer_for(account: AwsAccount) -> DnsWriter:
    """The DNS provider that writes an account's zones: Route 53 (another provider would be
    chosen here; regions/dns_types.py says what it must offer)."""
    return route53_for(account)


class PublishError(Exception):
    """Nothing was written: a clear reason for the user."""


@dataclass
class Preview:
    identity: Identity
    choice: ZoneChoice | None = None
    wanted: list[Wanted] = field(default_factory=list)
    present: list[RecordSet] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    account: AwsAccount | None = None
    error: str = ""

    @property
    def ready(self) -> bool:
        return self.choice is not None and self.choice.status == DELEGATED and not self.error


def _wanted(identity: Identity) -> list[Wanted]:
    pairs = []
    for ri in domain_regionals([identity.name]):
        try:
            pairs.append((ri.region.code, expected_records(spec_for(ri))))
        except DnsInputError as exc:
            log.warning("publish: %s in %s: %s", identity.name, ri.region.code, exc)
    return wanted_records(pairs)


def _probed_zone(domain: str) -> tuple[str, list[str]]:
    """The zone the public DNS delegates `domain` to, and its delegated nameservers."""
    info = Prober(probe_config()).zone_of(domain)
    if info.status != FOUND:
        return "", []
    return info.origin, [ns.host for ns in info.nameservers if ns.delegated]


def publish_preview(*, identity: Identity) -> Preview:
    """What publishing would change, read fresh from DNS and Route 53. Writes nothing."""
    preview = Preview(identity, wanted=_wanted(identity))
    if not preview.wanted:
        preview.error = "SES expects no records for this domain (sync first?)"
        return preview
    origin, servers = _probed_zone(identity.name)
    accounts = {a.label: a for a in AwsAccount.objects.filter(is_active=True)}
    found, errors = {}, {}
    for label, account in accounts.items():
        try:
            found[label] = writer_for(account).find_zones(identity.name)
        except DnsProviderError as exc:
            errors[label] = str(exc)
    preview.choice = choose_zone(
        found=found, probed_origin=origin, probed_nameservers=servers, errors=errors
    )
    zone = preview.choice.zone
    if zone is None:
        return preview
    preview.account = accounts[zone.account]
    try:
        client = writer_for(preview.account)
        preview.present = client.record_sets(zone, names_to_read(preview.wanted, zone.name))
    except DnsProviderError as exc:
        preview.error = str(exc)
        return preview
    preview.items = plan(preview.wanted, preview.present, zone.name)
    return preview


def _change_rows(changes: list[RecordChange]) -> list[dict]:
    return [
        {
            "action": c.action,
            "name": c.record_set.name,
            "rtype": c.record_set.rtype,
            "ttl": c.record_set.ttl,
            "values": list(c.record_set.values),
        }
        for c in changes
    ]


def publish_apply(*, identity: Identity, keys: Collection[str], actor) -> DnsPublish | None:
    """Apply the ticked items as one batch. None when nothing needs changing (nothing is
    called). Raises PublishError when nothing could be written, with the reason."""
    preview = publish_preview(identity=identity)
    if preview.error:
        raise PublishError(preview.error)
    if not preview.ready:
        raise PublishError(preview.choice.message if preview.choice else "no zone found")
    chosen = [item for item in preview.items if item.key in set(keys)]
    if len(chosen) < len(set(keys)):
        raise PublishError(
            "The records changed since the preview: look at the new preview and tick again."
        )
    changes = changes_for(chosen, preview.present)
    if not changes:
        return None
    zone, account = preview.choice.zone, preview.account
    comment = f"sesops: {identity.name} by {actor.get_username()}"
    try:
        receipt = writer_for(account).apply(zone, changes, comment=comment)
    except DnsProviderError as exc:
        _apply_event(actor, account, identity, f"zone {zone.id}", "", Event.Result.ERROR, str(exc))
        raise PublishError(str(exc)) from exc
    rows = _change_rows(changes)
    in_sync = receipt.status == INSYNC
    with transaction.atomic():
        publish = DnsPublish.objects.create(
            identity=identity,
            account=account,
            zone_id=zone.id,
            zone_name=zone.name,
            change_id=receipt.id,
            actor=actor,
            actor_name=actor.get_username(),
            changes=rows,
            status=DnsPublish.Status.INSYNC if in_sync else DnsPublish.Status.PENDING,
            insync_at=timezone.now() if in_sync else None,
        )
        summary = "; ".join(f"{r['action']} {r['name']} {r['rtype']}" for r in rows)
        message = f"{len(rows)} record set(s) in {zone.name}: {summary}"
        after = f"change {receipt.id}"
        _apply_event(actor, account, identity, f"zone {zone.id}", after, Event.Result.OK, message)
    return publish


def _apply_event(actor, account, identity, before: str, after: str, result: str, message: str):
    """The audit event of an apply: who, which zone, which change id, what changed."""
    record_event(
        kind=Event.Kind.ACTION,
        actor=actor,
        account=account,
        identity_name=identity.name,
        subject="publish to route 53",
        before=before,
        after=after,
        result=result,
        message=message,
    )


def follow_stale(publish: DnsPublish) -> DnsPublish:
    """One follow step now if the worker has not finished a change after STALE_AFTER."""
    if publish.finished or timezone.now() - publish.submitted_at < STALE_AFTER:
        return publish
    return follow_publish(publish_id=publish.pk)


def follow_publish(*, publish_id: int) -> DnsPublish:
    """One step: ask GetChange; at INSYNC probe the domain and finish. The caller (the task)
    comes back later while the change is PENDING and the deadline is not reached."""
    publish = DnsPublish.objects.select_related("identity", "account").get(pk=publish_id)
    if publish.finished:
        return publish
    if publish.account is None:
        return _finish(publish, DnsPublish.Status.FAILED, error="the account was removed")
    if publish.status == DnsPublish.Status.PENDING:
        try:
            receipt = writer_for(publish.account).change_status(publish.change_id)
        except DnsProviderError as exc:
            if exc.permanent:
                return _finish(publish, DnsPublish.Status.FAILED, error=str(exc))
            return publish  # transient: the next step asks again
        if receipt.status != INSYNC:
            if timezone.now() - publish.submitted_at > INSYNC_DEADLINE:
                return _finish(publish, DnsPublish.Status.FAILED, error="never reached INSYNC")
            return publish
        claimed = DnsPublish.objects.filter(pk=publish.pk, status=DnsPublish.Status.PENDING).update(
            status=DnsPublish.Status.INSYNC, insync_at=timezone.now()
        )
        if not claimed:
            return DnsPublish.objects.get(pk=publish.pk)  # another delivery took it
        publish.refresh_from_db()
    try:
        outcome = probe_domain(publish.identity.name, trigger="publish", actor=publish.actor)
    except DnsInputError as exc:  # the domain left SES meanwhile
        return _finish(publish, DnsPublish.Status.FAILED, error=f"DNS not probed: {exc}")
    verdicts = [v for vs in outcome.verdicts.values() for v in vs if v.record.blocking]
    right = sum(1 for v in verdicts if v.verdict == "ok")
    result = f"{right} of {len(verdicts)} required records right on every nameserver"
    return _finish(publish, DnsPublish.Status.DONE, result=result)


def _finish(publish: DnsPublish, status: str, *, result: str = "", error: str = "") -> DnsPublish:
    publish.status, publish.result, publish.error = status, result, error
    publish.finished_at = timezone.now()
    publish.save(update_fields=["status", "result", "error", "finished_at"])
    record_event(
        kind=Event.Kind.DNS,
        actor=publish.actor,
        account=publish.account,
        identity_name=publish.identity.name,
        subject="route 53 change",
        before=f"change {publish.change_id}",
        after=status,
        result=Event.Result.OK if status == DnsPublish.Status.DONE else Event.Result.ERROR,
        message=result or error,
    )
    return publish
