"""GET /api/v1/events: the audit log and "what changed" feed, newest first, by cursor."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from api import auth
from api.schemas import NO_NUL, Error, EventOut, EventPage, ValidationErrorOut
from api.selectors import event_page
from identities.selectors.activity import ActivityFilters
from regions.models import Event

router = Router(tags=["events"])

Kind = Literal["", "status", "action", "sync_error", "account", "dns"]


@router.get(
    "/events",
    response={200: EventPage, 400: Error, 401: Error, 403: Error, 422: ValidationErrorOut},
)
def list_events(
    request: HttpRequest,
    kind: Kind = "",
    account: str = Query("", max_length=64, pattern=NO_NUL),
    region: str = Query("", max_length=32, pattern=NO_NUL),
    identity: str = Query("", max_length=320, pattern=NO_NUL, description="Part of the name"),
    actor: str = Query("", max_length=150, pattern=NO_NUL, description="User name or 'sync'"),
    result: Literal["", "ok", "error"] = "",
    cursor: str | None = Query(None, max_length=2000, pattern=NO_NUL),
    limit: int = Query(50, ge=1, le=200),
) -> EventPage:
    """Events with the filters of the activity page."""
    auth.can_read(request)
    filters = ActivityFilters.from_params(
        {"kind": kind, "account": account, "region": region, "identity": identity,
         "actor": actor, "result": result}
    )  # fmt: skip
    events, next_cursor = event_page(filters, after=cursor, limit=limit)
    return EventPage(next_cursor=next_cursor, results=[_event(e) for e in events])


def _event(e: Event) -> EventOut:
    region = e.region
    return EventOut(
        id=e.pk,
        created_at=e.created_at,
        kind=e.kind,
        actor=e.actor_name or (e.actor.get_username() if e.actor else ""),
        account=e.account.label if e.account else (region.account.label if region else None),
        region=region.code if region else None,
        identity=e.identity_name,
        subject=e.subject,
        before=e.before,
        after=e.after,
        result=e.result,
        message=e.message,
    )
