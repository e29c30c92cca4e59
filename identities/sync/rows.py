"""The RegionalIdentity rows of one region during a sync: read, merged with what SES listed,
diffed (status events), marked gone, flagged and written in bulk."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from identities.blockers.flags import set_flags_in_region, verified_domains_among
from identities.blockers.types import is_verified_row
from identities.models import SES_LOOK_FIELDS, WATCHED_FIELDS, Identity, RegionalIdentity
from identities.sync import screen
from identities.sync.events import status_event
from identities.sync.fetch import Snapshot, Stored
from identities.sync.state import new_state
from regions.models import Event, Region
from regions.ses import EMAIL, IdentitySummary

# RegionalIdentity fields that sync owns; changes to the "watched" ones are events.
WATCHED = WATCHED_FIELDS
QUIET = (
    "gone_at",
    "verification_token",
    *SES_LOOK_FIELDS,
    "synced_at",
    "details_synced_at",
)
# Compared before/after to find the rows worth rewriting (synced_at moves on every sync).
STORED = [*WATCHED, *(f for f in QUIET if f != "synced_at")]
_COMPARED = frozenset(STORED)

Rows = dict[str, RegionalIdentity]  # identity name -> its row in the region
Listed = dict[str, IdentitySummary]  # identity name -> what ListEmailIdentities said


@dataclass
class Writes:
    """The rows a sync writes: how many it created, the stored ones it changed and the
    fields that moved in them."""

    now: datetime
    created: int = 0
    touched: list[RegionalIdentity] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)

    def touch(self, ri: RegionalIdentity, fields: Iterable[str]) -> None:
        self.touched.append(ri)
        self.fields.update(fields)

    def changed(self) -> bool:
        """Whether anything the dashboard shows moved (its live refresh asks)."""
        return bool(self.created) or any(ri.changed_at == self.now for ri in self.touched)


def stored_view(region: Region, names: list[str]) -> dict[str, Stored]:
    """What the call plan needs of these identities' stored rows (fetch.planned_names), read
    as plain values, `_NAMES_PER_READ` names a query: model instances cost ~100 ms of CPU
    a 1,000 rows, and 50 syncs of a worker process read theirs at about the same moment."""
    shared: dict[str, str] = {}  # one string per distinct status, not one per row
    view: dict[str, Stored] = {}
    for start in range(0, len(names), _NAMES_PER_READ):
        rows = (
            RegionalIdentity.objects.filter(
                region=region, identity__name__in=names[start : start + _NAMES_PER_READ]
            )
            .annotate(tokens_json=_TOKENS_JSON)
            .values_list(
                "identity__name",
                "verification_status",
                "verification_token",
                "dkim_signing_enabled",
                "dkim_status",
                "tokens_json",
                "details_synced_at",
                "present",
            )
            .order_by()
        )
        for name, status, token, signing, dkim, tokens, details, present in rows:
            view[name] = Stored(
                shared.setdefault(status, status),
                token,
                signing,
                shared.setdefault(dkim, dkim),
                tuple(_tokens(tokens)),
                details,
                present,
            )
    return view


_NAMES_PER_READ = 2000


# `dkim_tokens` read as its JSON text: JSONField decodes every row's value (~7 us each under
# a busy worker's lock, 1,000 rows twice a sync) while only domains have tokens.
_TOKENS_JSON = Cast("dkim_tokens", TextField())
_NO_TOKENS = ("[]", None)


def _tokens(text: str | None) -> list[str]:
    return [] if text in _NO_TOKENS else json.loads(text)


# What the write reads of every row as plain values, to find the rows this sync changes.
_PLAIN = ("pk", "identity__name", "identity__kind", "blocking", *STORED)
# Above this many rows to load, one read of the whole region beats a long `pk IN (...)`.
_LOAD_BY_PK = 500


@dataclass
class Scan:
    """What the write needs to know of the region's stored rows, read in one pass without
    holding them: 10,000 rows as dicts are ~12 MB, and a worker process's four database
    slots may each hold a region's write at once."""

    to_load: list[int] = field(default_factory=list)  # rows this sync writes more than synced_at to
    new: set[str] = field(default_factory=set)  # listed names with no stored row
    stored: int = 0  # rows the region had
    # Domains verified as stored among the rows not loaded (this sync leaves them as they are).
    verified_as_stored: set[str] = field(default_factory=set)


_SCAN_CHUNK = 2000


def scan_rows(region: Region, snap: Snapshot, listed: Listed, now: datetime) -> Scan:
    """One pass over the region's stored rows as plain values (a server-side cursor read
    `_SCAN_CHUNK` at a time on PostgreSQL) to find the rows this sync writes more than
    `synced_at` to: listed with a value that moved, back after being gone, gone from the
    listing, or with no blocking flag yet. Only these become model instances: 1,000 rows
    with their identities cost ~50 ms of CPU, and the 50 regions of a worker process that
    end together wait for each other's."""
    scan = Scan(new=set(listed))
    fields = [f for f in _PLAIN if f != "dkim_tokens"]
    rows = (
        RegionalIdentity.objects.filter(region=region)
        .annotate(tokens_json=_TOKENS_JSON)
        .order_by()
        .values(*fields, "tokens_json")
    )
    for stored in rows.iterator(chunk_size=_SCAN_CHUNK):
        scan.stored += 1
        name = stored["identity__name"]
        scan.new.discard(name)
        item = listed.get(name)
        if item is None:
            moved = stored["present"]
        elif not stored["present"]:
            moved = True
        else:
            stored["dkim_tokens"] = _tokens(stored.pop("tokens_json"))
            state = new_state(snap, item, now)
            moved = any(stored[f] != value for f, value in state.items() if f in _COMPARED)
        if moved or stored["blocking"] is None:
            scan.to_load.append(stored["pk"])
        elif (
            stored["present"]
            and stored["identity__kind"] != Identity.Kind.EMAIL
            and is_verified_row(stored["verified_for_sending"], stored["verification_status"])
        ):
            scan.verified_as_stored.add(name.lower())
    return scan


def load_rows(region: Region, pks: list[int] | None = None) -> Rows:
    """Model rows (with their identities) of the region, or of these of its rows."""
    rows = RegionalIdentity.objects.filter(region=region).select_related("identity")
    if pks is not None and len(pks) <= _LOAD_BY_PK:
        rows = rows.filter(pk__in=pks)
    loaded = {ri.identity.name: ri for ri in rows}
    if pks is not None and len(pks) > _LOAD_BY_PK:
        wanted = set(pks)
        loaded = {name: ri for name, ri in loaded.items() if ri.pk in wanted}
    return loaded


def verified_domains(scan: Scan, rows: Rows) -> set[str]:
    """The region's verified domains (lower-cased) after the merge: loaded rows as merged,
    the others as stored (this sync does not change them)."""
    return verified_domains_among(rows) | scan.verified_as_stored


def _identities_for(region: Region, names: dict[str, str]) -> dict[str, Identity]:
    """Identity rows (account-wide) for these names, creating the missing ones in bulk."""
    if not names:
        return {}
    account = region.account
    found = {i.name: i for i in Identity.objects.filter(account=account, name__in=list(names))}
    missing = [n for n in names if n not in found]
    if missing:
        Identity.objects.bulk_create(
            [
                Identity(
                    account=account, name=n, kind=names[n], domain=n.rsplit("@", 1)[-1].lower()
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


def merge_listing(
    region: Region,
    snap: Snapshot,
    listed: Listed,
    rows: Rows,
    now: datetime,
    problems: list[str],
) -> tuple[Writes, dict[str, dict]]:
    """Set every stored row in `rows` that SES listed (`listed`) to what SES reported.
    Returns the writes and, for those rows, their stored values before. New rows are
    `create_rows`' job."""
    writes = Writes(now)
    before: dict[str, dict] = {}
    for name, ri in rows.items():
        item = listed.get(name)
        if item is None:
            continue  # gone: mark_gone's
        before[name] = {f: getattr(ri, f) for f in STORED}
        if not ri.present:
            # Reappeared: a recreated identity has new tokens; read it afresh.
            ri.verification_token = ""
            ri.details_synced_at = None
        _set_state(ri, snap, item, now, problems)
    return writes, before


def _set_state(
    ri: RegionalIdentity, snap: Snapshot, item: IdentitySummary, now: datetime, problems: list[str]
) -> None:
    state = new_state(snap, item, now)
    problems += screen.regional_state(item.name, state)
    for field_name, value in state.items():
        setattr(ri, field_name, value)


# New rows are built, flagged and inserted this many at a time: a region's first sync of
# 10,000 identities as models (with their Identity rows) at once held ~30 MB.
_CREATE_CHUNK = 1000


def create_rows(
    region: Region,
    snap: Snapshot,
    new: list[IdentitySummary],
    verified: set[str],
    writes: Writes,
    problems: list[str],
) -> Iterator[list[RegionalIdentity]]:
    """Insert a row for each newly listed identity, `_CREATE_CHUNK` at a time, with its
    blocking flag; yields each inserted chunk (for its events) and counts it in `writes`.
    Domains go first, so `verified` (the region's verified domains, added to as new ones
    are inserted) is complete before any address is flagged."""
    now = writes.now
    ordered = sorted(new, key=lambda item: item.kind == EMAIL)
    for start in range(0, len(ordered), _CREATE_CHUNK):
        chunk = ordered[start : start + _CREATE_CHUNK]
        identities = _identities_for(region, {item.name: item.kind for item in chunk})
        created: Rows = {}
        for item in chunk:
            ri = RegionalIdentity(
                identity=identities[item.name], region=region, first_seen_at=now, changed_at=now
            )
            _set_state(ri, snap, item, now, problems)
            created[item.name] = ri
        verified.update(verified_domains_among(created))
        set_flags_in_region(created, created.values(), verified=verified)
        RegionalIdentity.objects.bulk_create(created.values(), batch_size=500)
        writes.created += len(created)
        yield list(created.values())


def status_changes(
    region: Region, rows: Rows, before: dict[str, dict], writes: Writes
) -> list[Event]:
    """Events of the watched fields that moved; rows whose stored values moved are touched.
    Only those are rewritten (bulk_update's CASE per row and field is costly)."""
    events = []
    for name, old_values in before.items():
        ri = rows[name]
        for field_name in WATCHED:
            old, new = old_values[field_name], getattr(ri, field_name)
            if old != new:
                events.append(status_event(region, name, field_name, old, new))
                ri.changed_at = writes.now
        moved = [f for f in STORED if getattr(ri, f) != old_values[f]]
        if moved:
            writes.touch(ri, moved)
    return events


def mark_gone(region: Region, rows: Rows, listed: Listed, writes: Writes) -> list[Event]:
    """The listing is complete (list_identities raises on any failed page): what it did not
    return is gone from SES."""
    events = []
    for name, ri in rows.items():
        if name not in listed and ri.present:
            ri.present = False
            ri.gone_at = ri.changed_at = writes.now
            writes.touch(ri, ("present", "gone_at", "changed_at"))
            events.append(status_event(region, name, "present", True, False))
    return events


def write_rows(region: Region, rows: Rows, writes: Writes, verified: set[str]) -> None:
    """Set the blocking flags of the stored rows that changed (`verified`: the region's
    verified domains, new ones included), then write: moved fields of touched rows,
    `synced_at` of the rest (new rows: create_rows, before this)."""
    touched_now = set(writes.touched)
    for ri in set_flags_in_region(rows, writes.touched, verified=verified):
        if ri not in touched_now:
            writes.touched.append(ri)
            touched_now.add(ri)
        writes.fields.add("blocking")
    if writes.touched:
        fields = sorted(writes.fields | {"changed_at"})
        RegionalIdentity.objects.bulk_update(writes.touched, fields, batch_size=500)
    # Everything present was just listed (the listing is complete); rows written above, and
    # the rows create_rows inserted, already carry `now`.
    with seen_stamp():
        RegionalIdentity.objects.filter(region=region, present=True).exclude(
            synced_at=writes.now
        ).update(synced_at=writes.now)


@contextmanager
def seen_stamp() -> Iterator[None]:
    """Around an UPDATE that sets `synced_at` and nothing else: the grid version's trigger
    then skips its per-row comparison (migration 0009). Call inside a transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('sesops.seen_stamp', 'on', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('sesops.seen_stamp', '', true)")
