"""The database half of a region sync: diff what SES said against the rows, write in bulk.

Runs after every network call is done, inside one short transaction. Each visible change
writes one `Event` (kind status/account) and moves `changed_at` (the dashboard's live
refresh asks "anything newer than T?").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from identities.blockers.flags import set_flags_in_region
from identities.models import WATCHED_FIELDS, Identity, RegionalIdentity
from identities.sync import screen
from identities.sync.endpoints import apply_endpoints
from identities.sync.fetch import Snapshot, Stored
from regions.events import build_event, record_events
from regions.models import Event, Region
from regions.ses import DOMAIN, AccountState

ACTOR = "sync"

# RegionalIdentity fields that sync owns; changes to the "watched" ones are events.
WATCHED = WATCHED_FIELDS
QUIET = (
    "gone_at",
    "verification_token",
    "verification_last_checked_at",
    "verification_last_success_at",
    "synced_at",
    "details_synced_at",
)
# Compared before/after to find the rows worth rewriting (synced_at moves on every sync).
STORED = [*WATCHED, *(f for f in QUIET if f != "synced_at")]

# Region fields from GetAccount; changes to these are account events.
ACCOUNT_WATCHED = {
    "production_access_enabled": "production_access",
    "sending_enabled": "sending_enabled",
    "enforcement_status": "enforcement_status",
    "review_status": "review_status",
    "max_24_hour_send": "max_24_hour_send",
    "max_send_rate": "max_send_rate",
}
ACCOUNT_QUIET = (
    "sent_last_24_hours",
    "mail_type",
    "website_url",
    "contact_language",
    "use_case_description",
    "additional_contacts",
    "review_case_id",
)


@dataclass
class ApplyResult:
    identities: int = 0
    changes: int = 0
    # SES values that could not be stored (skipped or kept as before), for the run's error.
    problems: list[str] = dataclasses.field(default_factory=list)


def stored_view(rows: dict[str, RegionalIdentity]) -> dict[str, Stored]:
    return {
        name: Stored(
            verification_status=ri.verification_status,
            verification_token=ri.verification_token,
            dkim_signing_enabled=ri.dkim_signing_enabled,
            dkim_status=ri.dkim_status,
            dkim_tokens=tuple(ri.dkim_tokens or ()),
            details_synced_at=ri.details_synced_at,
            present=ri.present,
        )
        for name, ri in rows.items()
    }


def load_rows(region: Region) -> dict[str, RegionalIdentity]:
    rows = RegionalIdentity.objects.filter(region=region).select_related("identity")
    return {ri.identity.name: ri for ri in rows}


def _show(field: str, value: object) -> str:
    if field == "present":
        return "present" if value else "gone"
    if field == "production_access_enabled":
        return {True: "production", False: "sandbox", None: ""}[value]
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _new_state(ri: RegionalIdentity, snap: Snapshot, item, now: datetime) -> dict:
    """The values SES reports for one listed identity; fields it did not answer keep theirs."""
    name = item.name
    state: dict[str, object] = {
        "present": True,
        "gone_at": None,
        "verification_status": item.verification_status,
        "sending_enabled": item.sending_enabled,
        "synced_at": now,
    }
    if item.verification_status == "SUCCESS":
        state["verified_for_sending"] = True
        state["verification_error_type"] = ""
    if name in snap.verification and snap.verification[name].token:
        state["verification_token"] = snap.verification[name].token
    if name in snap.dkim_read:
        dkim = snap.dkim.get(name)
        state["dkim_signing_enabled"] = dkim.signing_enabled if dkim else None
        state["dkim_status"] = dkim.status if dkim else ""
        state["dkim_tokens"] = list(dkim.tokens) if dkim else []
    if name in snap.mail_from_read:
        mf = snap.mail_from.get(name)
        state["mail_from_domain"] = mf.domain if mf else ""
        state["mail_from_status"] = mf.status if mf and mf.domain else ""
        state["mail_from_behavior"] = mf.behavior if mf and mf.domain else ""
    details = snap.details.get(name)
    if details is not None:
        state.update(
            verified_for_sending=details.verified_for_sending,
            verification_error_type=details.error_type,
            verification_last_checked_at=details.last_checked_at,
            verification_last_success_at=details.last_success_at,
            details_synced_at=now,
            mail_from_domain=details.mail_from_domain,
            # v2 reports a behaviour even with no MAIL FROM domain; v1 does not: with no
            # domain both mean "none", stored as blanks so the two never flap.
            mail_from_status=details.mail_from_status if details.mail_from_domain else "",
            mail_from_behavior=details.mail_from_behavior if details.mail_from_domain else "",
        )
        if details.verification_status:
            state["verification_status"] = details.verification_status
        # Only domains have DKIM records; an address signs with its domain's keys.
        if item.kind == DOMAIN:
            state.update(
                dkim_signing_enabled=details.dkim_signing_enabled,
                dkim_status=details.dkim_status,
                dkim_tokens=list(details.dkim_tokens),
                dkim_origin=details.dkim_origin,
                dkim_signing_zone=details.dkim_signing_zone,
            )
    return state


def _derive_address_sending(rows: dict[str, RegionalIdentity], snap: Snapshot) -> None:
    """An address not read in detail sends by its own status: SES applies the most specific
    identity, so its verified domain does not make it send (identities/blockers/coverage.py).
    """
    for item in snap.listing or ():
        if item.kind == DOMAIN or item.name in snap.details:
            continue
        if item.verification_status != "SUCCESS":
            rows[item.name].verified_for_sending = False


def _identities_for(region: Region, names: dict[str, str]) -> dict[str, Identity]:
    """Identity rows (account-wide) for these names, creating the missing ones in bulk."""
    account = region.account
    found = {i.name: i for i in Identity.objects.filter(account=account, name__in=list(names))}
    missing = [n for n in names if n not in found]
    if missing:
        Identity.objects.bulk_create(
            [
                Identity(
                    account=account,
                    name=n,
                    kind=names[n],
                    domain=n.rsplit("@", 1)[-1].lower(),
                )
                for n in missing
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        found.update(
            {i.name: i for i in Identity.objects.filter(account=account, name__in=missing)}
        )
    return found


def _account_changes(
    region: Region, account: AccountState, now: datetime, problems: list[str]
) -> list[Event]:
    events = []
    first_read = region.account_synced_at is None  # the first read is a baseline, not news
    answered = {f: getattr(account, f) for f in [*ACCOUNT_WATCHED, *ACCOUNT_QUIET]}
    problems += screen.values(Region, answered, "GetAccount")
    for field, subject in ACCOUNT_WATCHED.items():
        if field not in answered:
            continue  # a value that cannot be stored: the region keeps its previous one
        new = answered[field]
        old = getattr(region, field)
        if new != old:
            if not first_read:
                events.append(
                    build_event(
                        kind=Event.Kind.ACCOUNT,
                        actor_name=ACTOR,
                        region=region,
                        subject=subject,
                        before=_show(field, old),
                        after=_show(field, new),
                        message=_account_message(field, old, new),
                    )
                )
            setattr(region, field, new)
    for field in ACCOUNT_QUIET:
        if field in answered:
            value = answered[field]
            setattr(region, field, list(value) if isinstance(value, tuple) else value)
    region.account_synced_at = now
    region.account_error = ""
    return events


def _account_message(field: str, old: object, new: object) -> str:
    if field == "production_access_enabled" and new is True:
        return "Production access granted: the region left the sandbox."
    if field == "production_access_enabled" and new is False:
        return "The region is back in the sandbox."
    if field == "review_status":
        return f"Production-access review: {new}."
    if field == "sending_enabled" and new is False:
        return "Sending is paused for the account in this region."
    if field == "enforcement_status":
        return f"Enforcement status is now {new}."
    return ""


def apply_snapshot(
    region: Region,
    snap: Snapshot,
    now: datetime,
    rows: dict[str, RegionalIdentity] | None = None,
) -> tuple[ApplyResult, list[Event]]:
    """Diff and write. Returns counts and the events written. Call inside a transaction."""
    result = ApplyResult()
    events: list[Event] = []
    region_changed = False
    if snap.account is not None:
        account_events = _account_changes(region, snap.account, now, result.problems)
        events += account_events
        region_changed = bool(account_events)
    elif snap.account_error:
        region.account_error = snap.account_error

    first_sync = False
    created: list[RegionalIdentity] = []
    if snap.listing is not None:
        rows = load_rows(region) if rows is None else rows
        first_sync = not rows and region.last_success_at is None
        snap.listing, skipped = screen.listing(snap.listing)  # what can be stored, from here on
        result.problems += skipped
        listed = {i.name: i for i in snap.listing}
        identities = _identities_for(region, {i.name: i.kind for i in snap.listing})
        updated: list[RegionalIdentity] = []
        before: dict[str, dict] = {}
        for name, item in listed.items():
            ri = rows.get(name)
            if ri is None:
                ri = RegionalIdentity(
                    identity=identities[name], region=region, first_seen_at=now, changed_at=now
                )
                rows[name] = ri
                created.append(ri)
            else:
                before[name] = {f: getattr(ri, f) for f in STORED}
                if not ri.present:
                    # Reappeared: a recreated identity has new tokens; read it afresh.
                    ri.verification_token = ""
                    ri.details_synced_at = None
                updated.append(ri)
            state = _new_state(ri, snap, item, now)
            result.problems += screen.regional_state(name, state)
            for field, value in state.items():
                setattr(ri, field, value)
        _derive_address_sending(rows, snap)

        # Only rows whose stored values moved are rewritten (bulk_update's CASE per row and
        # field is costly); `synced_at` of every present row is set in one UPDATE below.
        touched: list[RegionalIdentity] = []
        touched_fields: set[str] = set()
        for ri in updated:
            name = ri.identity.name
            for field in WATCHED:
                old, new = before[name][field], getattr(ri, field)
                if old != new:
                    events.append(_status_event(region, name, field, old, new))
                    ri.changed_at = now
            moved = [f for f in STORED if getattr(ri, f) != before[name][f]]
            if moved:
                touched.append(ri)
                touched_fields.update(moved)
        if not first_sync:
            for ri in created:
                events.append(
                    build_event(
                        kind=Event.Kind.STATUS,
                        actor_name=ACTOR,
                        region=region,
                        identity_name=ri.identity.name,
                        subject="present",
                        before="",
                        after=ri.verification_status or "present",
                        message="New identity seen in SES.",
                    )
                )
        else:
            events.append(
                build_event(
                    kind=Event.Kind.STATUS,
                    actor_name=ACTOR,
                    region=region,
                    subject="first_sync",
                    after=str(len(created)),
                    message=f"First sync of the region: {len(created)} identities.",
                )
            )
        # The listing is complete (list_identities raises on any failed page): what it did
        # not return is gone from SES.
        for name, ri in rows.items():
            if name not in listed and ri.present:
                ri.present = False
                ri.gone_at = now
                ri.changed_at = now
                touched.append(ri)
                touched_fields.update({"present", "gone_at", "changed_at"})
                events.append(_status_event(region, name, "present", True, False))

        # The blocking flags of what changed (and of addresses under a changed domain).
        touched_now = set(touched)
        for ri in set_flags_in_region(rows, [*created, *touched]):
            if ri.pk is not None and ri not in touched_now:
                touched.append(ri)
                touched_now.add(ri)
            touched_fields.add("blocking")
        RegionalIdentity.objects.bulk_create(created, batch_size=500)
        if touched:
            fields = sorted(touched_fields | {"changed_at"})
            RegionalIdentity.objects.bulk_update(touched, fields, batch_size=500)
        # Everything present was just listed (the listing is complete); rows written above
        # already carry `now` (on a first sync: all of them, so nothing is rewritten twice).
        RegionalIdentity.objects.filter(region=region, present=True).exclude(synced_at=now).update(
            synced_at=now
        )
        result.identities = len(listed)
        region_changed = (
            region_changed or bool(created) or any(ri.changed_at == now for ri in touched)
        )

    events += apply_endpoints(region, snap, now)
    record_events(events)
    # The first sync's summary event stands for one change per identity imported.
    result.changes = len(events) - 1 + len(created) if first_sync else len(events)
    if region_changed:
        region.changed_at = now
    return result, events


def _status_event(region: Region, name: str, field: str, old: object, new: object) -> Event:
    return build_event(
        kind=Event.Kind.STATUS,
        actor_name=ACTOR,
        region=region,
        identity_name=name,
        subject=field,
        before=_show(field, old),
        after=_show(field, new),
    )
