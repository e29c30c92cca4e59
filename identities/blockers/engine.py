"""The blockers engine: why an identity cannot (or might not) send from one account-region.

Pure functions over plain frozen dataclasses (no ORM, no I/O), so the grid, the detail page,
`ses_report` and the send check all agree, and every rule is unit-testable. The ORM adapters
that build these states live in identities/blockers/states.py.

Severity: "blocking" means SES would refuse mail from this identity in this region right
now; "warning" means mail goes out but something needs attention (it will break soon,
deliverability suffers, or only some recipients are allowed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from identities.blockers import account, rules
from identities.blockers.advice import Advice, advice_message, advice_remedy
from identities.blockers.types import (
    ACTIONS,
    ADD_TO_REGION,
    BLOCKING,
    CHECK_DNS,
    CODES,
    PUBLISH_DNS,
    REQUEST_PRODUCTION_ACCESS,
    RESEND_VERIFICATION,
    SANDBOX_DAILY,
    SYNC_NOW,
    WARNING,
    Blocker,
    CellStatus,
    DnsState,
    IdentityState,
    RegionState,
    Severity,
)
from regions.ses_types import DOMAIN, EMAIL

__all__ = [
    "ACTIONS",
    "ADD_TO_REGION",
    "BLOCKING",
    "CHECK_DNS",
    "CODES",
    "DOMAIN",
    "EMAIL",
    "PUBLISH_DNS",
    "REQUEST_PRODUCTION_ACCESS",
    "RESEND_VERIFICATION",
    "SANDBOX_DAILY",
    "SYNC_NOW",
    "WARNING",
    "Advice",
    "Blocker",
    "CellStatus",
    "DnsState",
    "IdentityState",
    "RegionState",
    "Severity",
    "blockers_for",
    "cell_status",
    "is_blocked",
    "without_account_blocks",
]


def without_account_blocks(region: RegionState | None = None) -> RegionState:
    """`region` (or a nameless one) with nothing blocking at account level: production access,
    sending on, in good standing, no quota limit, fresh. What then blocks is the identity's own
    state: the stored per-row flag and the readiness checklist judge identities this way (the
    account-region's blocks are decided and shown per region, apart).

    The region's label and code are kept, so texts still name it; the quota is "unlimited"
    (-1), not "never read" (None)."""
    base = region or RegionState(
        account_label="",
        code="",
        production_access_enabled=True,
        sending_enabled=True,
        enforcement_status="HEALTHY",
        max_24_hour_send=-1.0,
        sent_last_24_hours=None,
        stale=False,
        last_error="",
    )
    return dataclasses.replace(
        base,
        production_access_enabled=True,
        sending_enabled=True,
        enforcement_status="HEALTHY",
        max_24_hour_send=-1.0,
        stale=False,
        last_error="",
    )


def blockers_for(
    identity: IdentityState | None,
    region: RegionState,
    dns: Sequence[DnsState] = (),
) -> list[Blocker]:
    """Everything that stops or threatens sending from `identity` in `region`, blocking first."""
    found: list[Blocker] = []
    if identity is None or not identity.present:
        found.append(rules.not_in_region(identity, region))
        found += account.stale(region)
        return found
    found += account.account(region)
    found += rules.identity_sending(identity)
    found += rules.verification(identity, region)
    found += rules.dkim(identity)
    found += rules.deed_replica(identity)
    found += rules.mail_from(identity, region)
    found += rules.dns_records(identity, dns)
    found += ses_advice(identity)
    found += account.stale(region)
    return sorted(found, key=lambda b: 0 if b.blocking else 1)  # stable: keeps rule order


def ses_advice(identity: IdentityState) -> list[Blocker]:
    """One warning per open VDM recommendation, high impact first: SES still sends."""
    ordered = sorted(identity.advice, key=lambda a: a.impact != "HIGH")
    return [
        Blocker(
            "ses_recommendation",
            WARNING,
            advice_message(item),
            advice_remedy(item, is_email=identity.is_email),
            PUBLISH_DNS
            if item.type in ("DKIM", "SPF", "DMARC") and not identity.is_email
            else None,
        )
        for item in ordered
    ]


def cell_status(blockers: Sequence[Blocker]) -> CellStatus:
    """The grid badge for one cell."""
    if any(b.code == "not_in_region" for b in blockers):
        return "absent"
    if any(b.blocking for b in blockers):
        return "blocked"
    if blockers:
        return "warning"
    return "sending"


def is_blocked(blockers: Sequence[Blocker]) -> bool:
    return any(b.blocking for b in blockers)
