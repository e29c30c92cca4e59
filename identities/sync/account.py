"""A region's account-level state (GetAccount) applied to its Region row."""

from __future__ import annotations

from datetime import datetime

from identities.sync import screen
from identities.sync.events import account_event
from regions.models import Event, Region, ReviewDecision
from regions.reviews import observe_review
from regions.ses import AccountState

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


def account_changes(
    region: Region, account: AccountState, now: datetime, problems: list[str]
) -> list[Event]:
    """Set the region's account fields; the events of the watched ones that moved."""
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
                events.append(account_event(region, field, subject, old, new))
            setattr(region, field, new)
    for field in ACCOUNT_QUIET:
        if field in answered:
            value = answered[field]
            setattr(region, field, list(value) if isinstance(value, tuple) else value)
    region.account_synced_at = now
    region.account_error = ""
    if "review_status" in answered and "review_case_id" in answered:
        observe_review(  # each review decision its own history entry, when first seen
            region,
            status=region.review_status,
            case_id=region.review_case_id,
            source=ReviewDecision.Source.SYNC,
            at=now,
        )
    return events
