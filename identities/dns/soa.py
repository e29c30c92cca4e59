"""Has SES looked at the zone since it last changed? The SOA serial SES saw at its last check
(GetEmailIdentity VerificationInfo.SOARecord) against the serial the authoritative
nameservers serve now (the DNS probe). Pure: plain values in, a verdict and its text out.

Serials compare in RFC 1982 serial arithmetic (they wrap at 2^32).

What SES reported is as of sesops' last GetEmailIdentity read (`read_at`,
RegionalIdentity.details_synced_at): the sync reads it for a verified domain only when the
identity is new or its DKIM changes, for one not verified when its status changes and at
least every hour (identities/sync/fetch.py, needs_details). SES may have looked since: the
sentences say "when sesops last read it" and `reread` says when it is read again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

LOOKED, NOT_YET, WENT_BACK, UNKNOWN = "looked", "not_yet", "went_back", "unknown"
_HALF = 2**31


def serial_of(soa_text: str) -> int | None:
    """The serial of an SOA record in presentation form (`mname rname serial refresh ...`)."""
    parts = soa_text.split()
    if len(parts) < 7:
        return None
    try:
        serial = int(parts[2])
    except ValueError:
        return None
    return serial if 0 <= serial < 2**32 else None


def serial_before(a: int, b: int) -> bool:
    """RFC 1982: is serial `a` older than `b`?"""
    return a != b and ((a < b and b - a < _HALF) or (a > b and a - b > _HALF))


def newest(serials: Mapping[str, int | None]) -> int | None:
    """The newest serial any nameserver serves (None when none answered)."""
    found = [s for s in serials.values() if s is not None]
    best = found[0] if found else None
    for serial in found[1:]:
        if serial_before(best, serial):  # type: ignore[arg-type]
            best = serial
    return best


@dataclass(frozen=True)
class SesLook:
    state: str  # looked | not_yet | went_back | unknown
    seen: int | None  # the serial SES saw
    served: int | None  # the newest serial served now
    checked_at: datetime | None  # SES's LastCheckedTimestamp
    served_by: tuple[tuple[str, int | None], ...] = ()  # (nameserver, serial), when they differ
    text: str = ""
    read_at: datetime | None = None  # when sesops read SES's view (GetEmailIdentity)
    reread: str = ""  # when sesops reads it again

    @property
    def disagree(self) -> bool:
        return bool(self.served_by)

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "ses_serial": self.seen,
            "served_serial": self.served,
            "ses_checked_at": self.checked_at,
            "served_by": dict(self.served_by),
            "text": self.text,
            "read_at": self.read_at,
        }


def ses_look(
    *,
    seen: int | None,
    checked_at: datetime | None,
    served: Mapping[str, int | None] | None,
    verification_status: str = "",
    read_at: datetime | None = None,
) -> SesLook:
    """SES's last look against what the nameservers serve now, with a sentence that says it.
    `served` is None before the first DNS probe, {} when the probe found no zone; `read_at`
    is when sesops read SES's view."""
    now = newest(served or {})
    distinct = set((served or {}).values())
    served_by = tuple(sorted((served or {}).items())) if len(distinct) > 1 else ()
    if seen is None or now is None:
        missing = []
        if seen is None:
            missing.append("SES has not reported the zone serial it saw")
        if served is None:
            missing.append("the zone's serial is not known yet (check DNS now)")
        elif not served:
            missing.append("the DNS probe found no zone for the domain")
        elif now is None:
            missing.append("no nameserver answered with the zone's serial")
        text = "; ".join(missing) + ": whether SES has looked since the zone changed is unknown."
        state = UNKNOWN
    elif serial_before(seen, now):
        state = NOT_YET
        if (verification_status or "").upper() == "FAILED":
            text = (
                "SES had not looked since the zone changed when sesops last read its view: it "
                "stopped looking when verification failed, and looks again once verification "
                "is restarted."
            )
        else:
            text = (
                "SES had not looked since the zone changed when sesops last read its view; "
                "it re-checks on its own schedule."
            )
    elif seen == now:
        state, text = LOOKED, "SES has looked since the zone last changed."
    else:
        state = WENT_BACK
        text = (
            f"SES saw a newer serial ({seen}) than the zone serves now ({now}): the serial "
            "went back, so it cannot tell whether SES has looked since."
        )
    return SesLook(
        state, seen, now, checked_at, served_by, text, read_at, _reread(verification_status)
    )


def _reread(verification_status: str) -> str:
    """When the sync reads SES's view again (identities/sync/fetch.py, needs_details)."""
    if (verification_status or "").upper() == "SUCCESS":
        return (
            "sesops reads SES's view again only when the identity's DKIM changes, "
            "so SES may have looked since"
        )
    return "sesops reads SES's view again when the verification status changes, or hourly"


def look_of(ri) -> SesLook:
    """A regional identity's row (its identity loaded): the serial SES saw in its region
    against what the zone served at the last probe (Identity.zone_soa)."""
    identity = ri.identity
    probed = identity.zone_soa_checked_at is not None
    return ses_look(
        seen=ri.verification_soa_serial,
        checked_at=ri.verification_last_checked_at,
        served=(identity.zone_soa or {}).get("serials", {}) if probed else None,
        verification_status=ri.verification_status,
        read_at=ri.details_synced_at,
    )
