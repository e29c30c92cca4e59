"""The network half of a region sync: which SES calls to make, and nothing else.

Call plan for one account-region with N identities, D of them domains: the fewest calls
that return everything the dashboard shows.

1. `GetAccount` — 1 call (sandbox, quota, enforcement, review). Its failure does not stop
   the identity sync (moto, for one, has no GetAccount).
1b. `ListMultiRegionEndpoints`, PageSize 1000 — ceil(E/1000) calls, at least 1: the global
   endpoints whose primary region this is (SES lists an endpoint only there, so every region
   is asked once). Its failure keeps the stored endpoints and does not stop the sync either.
1c. Where GetAccount says VDM is enabled: `ListRecommendations` (STATUS=OPEN, PageSize 100)
   — ceil(R/100) calls, at least 1, for R open recommendations (identities/sync/advice.py);
   its failure, too, keeps the stored ones and leaves the identity sync alone.
2. `ListEmailIdentities`, PageSize 1000 — ceil(N/1000) calls. It gives every identity's
   type, VerificationStatus and SendingEnabled, so no batch is needed for statuses.
3. `GetEmailIdentity` ("detail") for the set F that only v2 can answer:
   - a domain never read before (or back after being gone): DKIM origin (Easy DKIM,
     BYODKIM, DEED replica) and signing hosted zone decide which DNS records it needs;
   - an identity not verified, when first seen, when its status moved, or when its detail
     is older than UNHEALTHY_DETAIL_MAX_AGE: for VerificationInfo (ErrorType, last check)
     and VerifiedForSendingStatus (an address inherits it from its domain).
   A verified address never costs a per-identity call.
4. `GetIdentityVerificationAttributes` (v1, 100 a call) — only domains whose legacy
   `_amazonses` token we do not hold yet (it never changes): ceil(D/100) on the first sync,
   0 after.
5. `GetIdentityDkimAttributes` (v1, 100 a call) — domains not in F. A domain whose DKIM
   (enabled / status / tokens) moved is detailed too (step 3 again). Addresses sign with
   their domain's keys: no DKIM read for them.
6. `GetIdentityMailFromDomainAttributes` (v1, 100 a call) — everyone not detailed (an
   address can have its own MAIL FROM; GetEmailIdentity already returns it for F).

First sync: 1 + 1 + ceil(N/1000) + ceil(D/100) + ceil((N-G)/100) + G calls, G = domains and
identities not verified. Re-sync with nothing changed: 1 + ceil(N/1000) + ceil(D/100) +
ceil(N/100) + 1. The steps run in the order 1, 1b, 2, 4, 5, 6, 3.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from identities.sync.advice import read_advice
from identities.sync.spill import Spill
from regions.batching import batches
from regions.ses import (
    DOMAIN,
    AccountState,
    DkimAttributes,
    IdentityDetails,
    IdentitySummary,
    MailFromAttributes,
    MultiRegionEndpoint,
    Recommendation,
    SesClient,
    SesError,
    VerificationAttributes,
)

log = logging.getLogger(__name__)

BATCH = 100
# After this many consecutive failed per-identity reads the region is taken as down: the
# remaining reads would only burn retries and time.
MAX_CONSECUTIVE_DETAIL_FAILURES = 3
# An identity stuck unverified is re-read this often for SES's latest ErrorType even when
# its status has not moved (SES keeps checking DNS for 72 h).
UNHEALTHY_DETAIL_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Stored:
    """What the database holds for one identity in this region (the inputs to the plan)."""

    verification_status: str
    verification_token: str
    dkim_signing_enabled: bool | None
    dkim_status: str
    dkim_tokens: tuple[str, ...]
    details_synced_at: datetime | None
    present: bool


@dataclass
class Snapshot:
    """Everything read from SES in one sync; `errors` lists the failed reads (kept data)."""

    account: AccountState | None = None
    account_error: str = ""
    # The region's global endpoints; None when the listing failed (the stored ones stay).
    endpoints: list[MultiRegionEndpoint] | None = None
    endpoints_error: str = ""
    # VDM's open recommendations (None: not read — VDM off, or the read failed: advice_error).
    advice: list[Recommendation] | None = None
    advice_error: str = ""
    # Held compactly (regions/ses_listing.py): a sync keeps it through all its paced calls.
    listing: Collection[IdentitySummary] | None = None
    verification: dict[str, VerificationAttributes] = field(default_factory=dict)
    dkim: dict[str, DkimAttributes] = field(default_factory=dict)
    mail_from: dict[str, MailFromAttributes] = field(default_factory=dict)  # with a domain only
    # GetEmailIdentity answers: on disk while the sync waits (spill.py), here from `load_details`.
    details: dict[str, IdentityDetails] = field(default_factory=dict)
    details_spill: Spill = field(default_factory=Spill, repr=False)
    # Names whose DKIM batch read succeeded (a name absent from the answer then means "none").
    dkim_read: set[str] = field(default_factory=set)
    # The names planned for GetEmailIdentity (read or not): they get no MAIL FROM batch.
    detailed: set[str] = field(default_factory=set)
    # Names the MAIL FROM batches were asked for but did not answer (a failed or skipped
    # batch): every other listed name not `detailed` was answered. Kept as the exceptions,
    # not as 10,000 answered names a region.
    mail_from_missed: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    permanent_error: bool = False
    deferred: int = 0  # GetEmailIdentity reads left for the next sync (call budget)

    def fail(self, what: str, exc: SesError) -> None:
        self.errors.append(f"{what}: {exc}")
        self.permanent_error = self.permanent_error or exc.permanent

    def keep_details(self, name: str, details: IdentityDetails) -> None:
        self.details_spill.add((name, details))

    def load_details(self) -> None:
        """The GetEmailIdentity answers kept on disk during the fetch, into `details` (the
        write's first step)."""
        self.details.update(self.details_spill.take())

    def mail_from_answered(self, name: str) -> bool:
        """Whether a MAIL FROM batch answered for this listed identity (absent from the
        answer: it has none)."""
        return name not in self.detailed and name not in self.mail_from_missed


def dkim_changed(stored: Stored | None, dkim: DkimAttributes | None) -> bool:
    if stored is None or dkim is None:
        return False
    return (
        stored.dkim_signing_enabled != dkim.signing_enabled
        or stored.dkim_status != dkim.status
        or tuple(stored.dkim_tokens) != tuple(dkim.tokens)
    )


def needs_details(item: IdentitySummary, stored: Stored | None, now: datetime) -> bool:
    """Whether `GetEmailIdentity` is needed before any batch read (see the module docstring;
    a DKIM change found by the batch adds more)."""
    fresh = stored is None or not stored.present or stored.details_synced_at is None
    if item.kind == DOMAIN and fresh:
        return True
    if item.verification_status == "SUCCESS":
        return False
    return (
        fresh
        or stored.verification_status != item.verification_status
        or now - stored.details_synced_at > UNHEALTHY_DETAIL_MAX_AGE
    )


def _batched(
    client: SesClient,
    method: str,
    names: Iterable[str],
    snap: Snapshot,
    into: dict,
    *,
    seen: set[str] | None = None,
    missed: set[str] | None = None,
    keep: Callable[[Any], bool] | None = None,
) -> None:
    """Read `names` 100 at a time into `into` (only the answers `keep` accepts); the names
    of the batches that succeeded join `seen`, those of the batches that failed or were
    not made join `missed`. `names` is consumed lazily: only the batch in flight is held."""
    chunks = batches(names, BATCH)
    for chunk in chunks:
        try:
            answer = getattr(client, method)(chunk)
        except SesError as exc:
            snap.fail(method, exc)
            if missed is not None:
                missed.update(chunk)
            if not exc.permanent and not exc.throttled:
                # Region unreachable: stop here, the rest would fail the same way.
                if missed is not None:
                    for rest in chunks:
                        missed.update(rest)
                return
            continue
        into.update(answer if keep is None else {n: a for n, a in answer.items() if keep(a)})
        if seen is not None:
            seen.update(chunk)


def planned_names(listing: Iterable[IdentitySummary]) -> list[str]:
    """The listed identities whose stored record the plan reads: every domain (token, DKIM,
    first read) and every identity not verified (status moved, detail age). A verified
    address never needs one (`needs_details`): in a large region that is most of them."""
    return [i.name for i in listing if i.kind == DOMAIN or i.verification_status != "SUCCESS"]


def read_region(
    client: SesClient,
    load_stored: Callable[[list[str]], dict[str, Stored]],
    *,
    budget: int | None = None,
) -> Snapshot:
    """Make the calls of the plan; never raises SesError (failures land in `errors`).

    `load_stored(names)` gives what the database holds for these listed identities: it is
    asked once, after the listing, for `planned_names` only (one short database visit
    between two paced calls, the only one of the fetch).

    `budget` caps the calls of this sync (so it ends within the task's time limit at the
    paced rate): GetEmailIdentity calls beyond it are left for the next syncs (`deferred`),
    which still find them new or changed. Progress is kept: each sync writes what it read."""
    snap = Snapshot()
    try:
        snap.account = client.get_account()
    except SesError as exc:
        snap.account_error = str(exc)
        log.info("%s: GetAccount failed: %s", client.region_code, exc)
    try:
        snap.endpoints = client.list_multi_region_endpoints()
    except SesError as exc:
        snap.endpoints_error = str(exc)
        log.info("%s: ListMultiRegionEndpoints failed: %s", client.region_code, exc)
    snap.advice, snap.advice_error = read_advice(client, snap.account)

    try:
        snap.listing = client.list_identities()
    except SesError as exc:
        snap.fail("ListEmailIdentities", exc)
        return snap

    detail = _read_batches(client, load_stored(planned_names(snap.listing)), snap)
    ordered = [i.name for i in snap.listing if i.name in detail]
    if budget is not None:
        ordered = _within_budget(client, snap, ordered, budget)
        detail = set(ordered)
    snap.detailed = detail
    # An identity with no MAIL FROM domain reads as "none" whether answered or not (state.py):
    # only those with one are kept, ~1 in 20 rather than 10,000 objects in a large region.
    _batched(
        client,
        "get_mail_from_attributes",
        (i.name for i in snap.listing if i.name not in detail),
        snap,
        snap.mail_from,
        missed=snap.mail_from_missed,
        keep=lambda attrs: bool(attrs.domain),
    )
    _read_details(client, ordered, snap)
    return snap


def _read_batches(client: SesClient, stored: dict[str, Stored], snap: Snapshot) -> set[str]:
    """Steps 4 and 5 (tokens, DKIM); returns the names that need GetEmailIdentity."""
    listing = snap.listing or []
    now = timezone.now()
    detail = {i.name for i in listing if needs_details(i, stored.get(i.name), now)}
    domains = [i.name for i in listing if i.kind == DOMAIN]
    need_token = [
        name
        for name in domains
        if not (stored.get(name) and stored[name].present and stored[name].verification_token)
    ]
    _batched(client, "get_verification_attributes", need_token, snap, snap.verification)
    dkim_names = [name for name in domains if name not in detail]
    _batched(client, "get_dkim_attributes", dkim_names, snap, snap.dkim, seen=snap.dkim_read)
    for name in dkim_names:
        answer = snap.dkim.get(name)
        if answer is None:
            continue  # read and absent: no DKIM any more (state.py), or not read
        if dkim_changed(stored.get(name), answer):
            detail.add(name)
        else:
            # What is stored already (every such domain has a stored row, read in detail
            # before): nothing to write, so not held through the sync's remaining calls.
            del snap.dkim[name]
            snap.dkim_read.discard(name)
    return detail


def _within_budget(client: SesClient, snap: Snapshot, ordered: list[str], budget: int) -> list[str]:
    """The detail reads the budget leaves room for (after the MAIL FROM batches)."""
    batches = -(-len(snap.listing or []) // BATCH)  # MAIL FROM, at most
    room = max(0, budget - client.calls - batches)
    if len(ordered) <= room:
        return ordered
    deferred = ordered[room:]
    snap.deferred = len(deferred)
    # Not recorded as read: the DKIM change is still seen (and detailed) next time.
    snap.dkim_read.difference_update(deferred)
    log.info("%s: %d detail reads left for the next sync", client.region_code, len(deferred))
    return ordered[:room]


def _read_details(client: SesClient, names: list[str], snap: Snapshot) -> None:
    """Step 3: GetEmailIdentity one by one; a run of failures means the region is down."""
    failures = 0
    for name in names:
        try:
            snap.keep_details(name, client.get_identity(name))
            failures = 0
        except SesError as exc:
            if exc.code == "NotFoundException":
                continue  # deleted since the listing; the next listing will say so
            snap.fail(f"GetEmailIdentity {name}", exc)
            failures += 1
            if failures >= MAX_CONSECUTIVE_DETAIL_FAILURES:
                snap.errors.append("further GetEmailIdentity calls skipped after repeated failures")
                return
