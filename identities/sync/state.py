"""What SES reported for one listed identity, as RegionalIdentity field values: the merge of
the listing, the v1 batch reads and GetEmailIdentity (fields SES did not answer keep theirs).
"""

from __future__ import annotations

from datetime import datetime

from identities.sync.fetch import Snapshot
from regions.ses import DOMAIN, IdentitySummary


def new_state(snap: Snapshot, item: IdentitySummary, now: datetime) -> dict:
    """The values SES reports for one listed identity; fields it did not answer keep theirs."""
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
    elif item.kind != DOMAIN and item.name not in snap.details:
        # An address not read in detail sends by its own status: SES applies the most
        # specific identity, so its verified domain does not make it send
        # (identities/blockers/coverage.py).
        state["verified_for_sending"] = False
    state.update(_batch_state(snap, item.name))
    state.update(_details_state(snap, item, now))
    return state


def _batch_state(snap: Snapshot, name: str) -> dict[str, object]:
    """From the v1 batch reads: a name the batch answered without it has none."""
    state: dict[str, object] = {}
    if name in snap.verification and snap.verification[name].token:
        state["verification_token"] = snap.verification[name].token
    if name in snap.dkim_read:
        dkim = snap.dkim.get(name)
        state["dkim_signing_enabled"] = dkim.signing_enabled if dkim else None
        state["dkim_status"] = dkim.status if dkim else ""
        state["dkim_tokens"] = list(dkim.tokens) if dkim else []
    if snap.mail_from_answered(name):
        mf = snap.mail_from.get(name)
        state["mail_from_domain"] = mf.domain if mf else ""
        state["mail_from_status"] = mf.status if mf and mf.domain else ""
        state["mail_from_behavior"] = mf.behavior if mf and mf.domain else ""
    return state


def _details_state(snap: Snapshot, item: IdentitySummary, now: datetime) -> dict[str, object]:
    """From GetEmailIdentity, when it was read this sync."""
    details = snap.details.get(item.name)
    if details is None:
        return {}
    state: dict[str, object] = dict(
        verified_for_sending=details.verified_for_sending,
        verification_error_type=details.error_type,
        verification_last_checked_at=details.last_checked_at,
        verification_last_success_at=details.last_success_at,
        verification_soa_serial=details.soa_serial,
        verification_soa_primary_ns=details.soa_primary_ns,
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
