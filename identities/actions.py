"""Actions on one identity: resend verification, add to regions, check DNS, sync now.

Keyword-only services that pages, the API and commands call alike. Each writes one audit event
per region touched (who, what, when, result) and returns an ActionOutcome the caller shows as
it likes. An SES error becomes a readable message and leaves the data as it was; nothing here
raises for a refusal the user can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from identities import cooldowns, tasks
from identities.action_audit import (
    audit,
    each_region,
    outcome_level,
    ses_failure,
    unanswered,
    unknown_summary,
)
from identities.action_types import ActionOutcome, DkimChoice, Level, RegionOutcome
from identities.blockers.flags import refresh_blocking
from identities.blockers.types import is_verified_row
from identities.dns.names import DnsInputError
from identities.dns.publish import PublishError, publish_apply
from identities.dns.service import probe_domain
from identities.models import DKIM_FIELDS, Identity, RegionalIdentity, Status
from identities.selectors.detail import records_for
from identities.sync.enqueue import UNREACHABLE
from regions import ses
from regions.models import Region
from regions.ses_types import IdentityDetails

log = logging.getLogger(__name__)
resend_cooldown_key = cooldowns.resend_key  # (tests clear the cooldowns by key)


def resend_verification(
    *, identity: Identity, regions: Sequence[Region] | None = None, user: Any
) -> ActionOutcome:
    """Resend the verification email from each region (or those given) where it is unverified.

    One send per address per SESOPS_RESEND_COOLDOWN seconds, whoever clicks: a mailbox is not
    flooded by double clicks or two operators."""
    if not identity.is_email:
        return ActionOutcome(
            "error",
            "Only email addresses get a verification email; a domain is verified "
            "by publishing its DNS records.",
        )
    rows = RegionalIdentity.objects.filter(identity=identity, present=True).select_related(
        "region", "region__account"
    )
    if regions is not None:
        rows = rows.filter(region__in=[r.pk for r in regions])
    targets = [
        ri for ri in rows if not is_verified_row(ri.verified_for_sending, ri.verification_status)
    ]
    if not targets:
        return ActionOutcome(
            "warning",
            "Nothing to resend: the address is verified in every region where it "
            "exists (use “Add to regions” for the others).",
        )
    cooldown = settings.SESOPS_RESEND_COOLDOWN
    key = cooldowns.resend_key(identity.pk)
    sent_at = cooldowns.claim(identity, key, cooldown) if cooldown else None
    if sent_at is not None:
        message = cooldowns.wait_message(sent_at, cooldown)
        # Not an error: nothing was attempted, the cooldown said no.
        audit(user, identity, None, "resend_verification", False, message, refused=True)
        return ActionOutcome("warning", message)
    items = each_region(
        [ri.region for ri in targets],
        lambda region: _resend_one(identity=identity, region=region, user=user),
        user=user, identity=identity, subject="resend_verification",
    )  # fmt: skip
    sent = [i for i in items if i.ok]
    if not sent and not any(i.unknown for i in items):
        cooldowns.release(key)  # nothing went out: let the user retry at once
        if any(i.unknown for i in items):
            return ActionOutcome("warning", unknown_summary(items, "sent"), items)
        return ActionOutcome(
            "error", "SES did not send the verification email. Nothing was changed.", items
        )
    return ActionOutcome(
        outcome_level(sent, items),
        f"Verification email sent from {', '.join(i.region for i in sent)}. The link in it "
        "expires after 24 hours; ask the owner of the mailbox to check the spam folder too.",
        items,
    )


def _resend_one(*, identity: Identity, region: Region, user: Any) -> RegionOutcome:
    unknown = False
    try:
        ses.client_for(identity.account, region.code).verify_email(identity.name)
    except Exception as err:  # shown to the user, never a 500
        ok, text, unknown = False, ses_failure(err, "sent"), unanswered(err)
    else:
        ok, text = True, f"verification email sent to {identity.name}"
    audit(user, identity, region, "resend_verification", ok, text)
    return RegionOutcome(region.code, ok, text, unknown=unknown)


def add_to_regions(
    *, identity: Identity, regions: Sequence[Region], dkim: DkimChoice, user: Any
) -> ActionOutcome:
    """Create the identity in each region (SES sends an address its verification email; a
    domain gets its DNS records to publish). Regions where it exists already are skipped."""
    present = set(
        RegionalIdentity.objects.filter(identity=identity, present=True).values_list(
            "region_id", flat=True
        )
    )
    chosen = [r for r in regions if r.account_id == identity.account_id and r.pk not in present]
    if not chosen:
        return ActionOutcome(
            "error", "Choose at least one region where the identity does not exist yet."
        )
    options = {} if identity.is_email else dkim.create_options()
    items = each_region(
        chosen,
        lambda region: _create_one(identity=identity, region=region, options=options, user=user),
        user=user, identity=identity, subject="add_to_region",
    )  # fmt: skip
    done = [i for i in items if i.ok]
    if not done and any(i.unknown for i in items):
        return ActionOutcome("warning", unknown_summary(items, "created"), items)
    if not done:
        return ActionOutcome(
            "error", "SES did not create the identity. Nothing was changed.", items
        )
    follow = (
        " SES sent a verification email from each new region: the link must be clicked "
        "within 24 hours."
        if identity.is_email
        else " Publish the DNS records below; SES looks for them for up to 72 hours."
    )
    return ActionOutcome(
        outcome_level(done, items),
        f"Added to {', '.join(i.region for i in done)}." + follow,
        items,
        regions_changed=True,
    )


def _create_one(
    *, identity: Identity, region: Region, options: dict[str, str], user: Any
) -> RegionOutcome:
    try:
        details = ses.client_for(identity.account, region.code).create_identity(
            identity.name, **options
        )
    except Exception as err:  # shown to the user, never a 500
        text = ses_failure(err, "created")
        audit(user, identity, region, "add_to_region", False, text)
        return RegionOutcome(region.code, False, text, unknown=unanswered(err))
    text = f"created in {region.code}" + (
        f" (DKIM: {options['dkim_origin']})" if "dkim_origin" in options else ""
    )
    with transaction.atomic():
        ri = _save_created(identity, region, details)
        audit(user, identity, region, "add_to_region", True, text)
    return RegionOutcome(region.code, True, text, records_for(identity, ri)[0])


def _save_created(identity: Identity, region: Region, details: IdentityDetails) -> RegionalIdentity:
    """Record what SES answered so the page shows the region at once (sync refines it)."""
    now = timezone.now()
    with transaction.atomic():
        ri, _ = RegionalIdentity.objects.update_or_create(
            identity=identity,
            region=region,
            defaults={
                "present": True,
                "gone_at": None,
                "verification_status": details.verification_status or Status.PENDING,
                "verified_for_sending": bool(details.verified_for_sending),
                **{f: getattr(details, f) for f in DKIM_FIELDS},
                "dkim_tokens": list(details.dkim_tokens),
                "synced_at": now,
                "changed_at": now,
            },
        )
        refresh_blocking([ri.pk])
    return ri


def check_dns(*, identity: Identity, user: Any) -> ActionOutcome:
    """Probe this domain's records now (in the caller: one domain is a few dozen queries)."""
    try:
        outcome = probe_domain(identity.name, trigger=user.get_username(), actor=user)
    except DnsInputError as exc:
        level: Level = "error"
        text = f"DNS check failed: {exc}"
    else:
        verdicts = [v for vs in outcome.verdicts.values() for v in vs]
        bad = sum(v.verdict != "ok" for v in verdicts)
        # Records to fix are news to act on, not a success.
        level = "error" if outcome.run.status == "failed" else "warning" if bad else "success"
        text = f"Checked {len(verdicts)} records with {outcome.run.calls} DNS queries: " + (
            f"{bad} need{'s' if bad == 1 else ''} attention." if bad else "all as SES expects."
        )
    audit(user, identity, None, "check_dns", level != "error", text)
    return ActionOutcome(level, text)


def sync_now(*, identity: Identity, user: Any) -> ActionOutcome:
    """Queue a sync of every region the identity is in (or every shown region of its account
    when it is in none yet); the worker reads SES, the page shows the result."""
    rows = Region.objects.select_related("account").filter(account_id=identity.account_id)
    present = rows.filter(
        regional_identities__identity=identity, regional_identities__present=True
    ).distinct()
    regions = list(present) or list(rows.filter(hidden=False))
    items = []
    for region in regions:
        try:
            # Not queued again while one is queued or running: the answer says which.
            asked = tasks.enqueue_region_sync(region, trigger=user.get_username())
            ok, text = asked.queued or asked.already, asked.message
            if not ok and asked.message == UNREACHABLE:
                text = f"{UNREACHABLE}; try again shortly"
        except Exception as err:  # shown to the user, never a 500
            log.exception("enqueue_region_sync failed")
            ok, text = False, f"could not queue the sync ({type(err).__name__})"
        items.append(RegionOutcome(region.code, ok, text))
        audit(user, identity, region, "sync_now", ok, text)
    done = [i for i in items if i.ok]
    if not done:
        return ActionOutcome("error", "The sync could not be queued.", items)
    return ActionOutcome(
        outcome_level(done, items),
        f"Sync queued or on its way for {', '.join(i.region for i in done)}; the page shows"
        " the result once the worker has read SES.",
        items,
    )


@dataclass(frozen=True)
class PublishOutcome(ActionOutcome):
    publish_id: int | None = None  # the DnsPublish to follow, when a change was sent


def publish_records(*, identity: Identity, keys: Sequence[str], user: Any) -> PublishOutcome:
    """Send the ticked items of the publish preview to Route 53 as one change
    (identities/dns/publish.py); the follow-up runs in the worker. Audited there."""
    try:
        publish = publish_apply(identity=identity, keys=keys, actor=user)
    except PublishError as exc:
        return PublishOutcome("error", f"Nothing was changed: {exc}")
    if publish is None:
        return PublishOutcome("success", "Nothing to change: every ticked record is already right.")
    # Queued by the caller of the service, not by it: tasks import the services, never the
    # reverse (the follow-up task runs identities/dns/publish.py's follow_publish).
    transaction.on_commit(lambda: tasks.queue_follow_publish(publish.pk))
    text = f"Route 53 change {publish.change_id} sent to zone {publish.zone_name}."
    return PublishOutcome("success", text, publish_id=publish.pk)
