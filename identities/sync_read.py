"""The network half of a region sync: which SES calls to make, and nothing else.

Call plan for one account-region with N identities, D of them domains (the minimum that
returns everything the dashboard shows):

1. `GetAccount` — 1 call. Sandbox, quota, enforcement, review. Failure does not stop the
   identity sync (moto, for one, has no GetAccount).
2. `ListEmailIdentities`, PageSize 1000 — ceil(N/1000) calls. Gives every identity's type,
   VerificationStatus and SendingEnabled, so v1 `GetIdentityVerificationAttributes` is only
   needed for the legacy `_amazonses` TXT token, which only domains have and which does not
   change: it is read once per domain (when we hold no token), in batches of 100.
3. `GetIdentityDkimAttributes` — domains only, ceil(D/100) calls. An address signs with its
   domain's DKIM; only domains have DKIM records to check.
4. `GetIdentityMailFromDomainAttributes` — every identity, ceil(N/100) calls: an address can
   carry its own custom MAIL FROM (and REJECT_MESSAGE on it blocks sending).
5. `GetEmailIdentity` — only where the batches cannot answer:
   - a domain never read before, or whose DKIM (enabled / status / tokens) changed: the
     signing origin (Easy DKIM, BYODKIM, DEED replica) and the signing hosted zone decide
     which DNS records are expected, and only v2 returns them;
   - a domain not verified: every sync, for `VerificationInfo` (ErrorType, last check);
   - an address not verified, when first seen or when its status changed (for
     VerifiedForSendingStatus, which an address inherits from its domain).
   A verified address never costs a per-identity call.

So a steady-state region of 1,000 verified identities costs 1 + 1 + ceil(D/100) + 10 calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from regions.ses import (
    DOMAIN,
    AccountState,
    DkimAttributes,
    IdentityDetails,
    IdentitySummary,
    MailFromAttributes,
    SesClient,
    SesError,
    VerificationAttributes,
)

log = logging.getLogger(__name__)

BATCH = 100
# After this many consecutive failed per-identity reads the region is taken as down: the
# remaining reads would only burn retries and time.
MAX_CONSECUTIVE_DETAIL_FAILURES = 3


@dataclass(frozen=True)
class Stored:
    """What the database holds for one identity in this region (the inputs to the plan)."""

    verification_status: str
    verification_token: str
    dkim_signing_enabled: bool | None
    dkim_status: str
    dkim_tokens: tuple[str, ...]
    details_synced: bool
    present: bool


@dataclass
class Snapshot:
    """Everything read from SES in one sync; `errors` lists the failed reads (kept data)."""

    account: AccountState | None = None
    account_error: str = ""
    listing: list[IdentitySummary] | None = None
    listing_error: str = ""
    verification: dict[str, VerificationAttributes] = field(default_factory=dict)
    dkim: dict[str, DkimAttributes] = field(default_factory=dict)
    mail_from: dict[str, MailFromAttributes] = field(default_factory=dict)
    details: dict[str, IdentityDetails] = field(default_factory=dict)
    # Names whose batch read succeeded (a name absent from the answer then means "none").
    dkim_read: set[str] = field(default_factory=set)
    mail_from_read: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    permanent_error: bool = False

    def fail(self, what: str, exc: SesError) -> None:
        self.errors.append(f"{what}: {exc}")
        self.permanent_error = self.permanent_error or exc.permanent


def _dkim_changed(stored: Stored | None, dkim: DkimAttributes | None) -> bool:
    if stored is None or dkim is None:
        return False
    return (
        stored.dkim_signing_enabled != dkim.signing_enabled
        or stored.dkim_status != dkim.status
        or tuple(stored.dkim_tokens) != tuple(dkim.tokens)
    )


def needs_details(
    item: IdentitySummary, stored: Stored | None, dkim: DkimAttributes | None
) -> bool:
    """Whether `GetEmailIdentity` is needed for this identity (see the module docstring)."""
    fresh = stored is None or not stored.present or not stored.details_synced
    unhealthy = item.verification_status != "SUCCESS"
    if item.kind == DOMAIN:
        return fresh or unhealthy or _dkim_changed(stored, dkim)
    status_changed = stored is not None and stored.verification_status != item.verification_status
    return unhealthy and (fresh or status_changed)


def _batched(client: SesClient, method: str, names: list[str], snap: Snapshot, into: dict, seen):
    for start in range(0, len(names), BATCH):
        chunk = names[start : start + BATCH]
        try:
            into.update(getattr(client, method)(chunk))
        except SesError as exc:
            snap.fail(method, exc)
            if not exc.permanent and not exc.throttled:
                return  # region unreachable: stop here, the rest would fail the same way
            continue
        if seen is not None:
            seen.update(chunk)


def read_region(client: SesClient, stored: dict[str, Stored]) -> Snapshot:
    """Make the calls of the plan; never raises SesError (failures land in `errors`)."""
    snap = Snapshot()
    try:
        snap.account = client.get_account()
    except SesError as exc:
        snap.account_error = str(exc)
        log.info("%s: GetAccount failed: %s", client.region_code, exc)

    try:
        snap.listing = client.list_identities()
    except SesError as exc:
        snap.listing_error = str(exc)
        snap.fail("ListEmailIdentities", exc)
        return snap

    domains = [i.name for i in snap.listing if i.kind == DOMAIN]
    need_token = [
        name
        for name in domains
        if not (stored.get(name) and stored[name].present and stored[name].verification_token)
    ]
    _batched(client, "get_verification_attributes", need_token, snap, snap.verification, None)
    _batched(client, "get_dkim_attributes", domains, snap, snap.dkim, snap.dkim_read)
    everyone = [i.name for i in snap.listing]
    _batched(
        client, "get_mail_from_attributes", everyone, snap, snap.mail_from, snap.mail_from_read
    )

    failures = 0
    for item in snap.listing:
        if not needs_details(item, stored.get(item.name), snap.dkim.get(item.name)):
            continue
        try:
            snap.details[item.name] = client.get_identity(item.name)
            failures = 0
        except SesError as exc:
            if exc.code == "NotFoundException":
                continue  # deleted since the listing; the next listing will say so
            snap.fail(f"GetEmailIdentity {item.name}", exc)
            failures += 1
            if failures >= MAX_CONSECUTIVE_DETAIL_FAILURES:
                snap.errors.append("further GetEmailIdentity calls skipped after repeated failures")
                break
    return snap
