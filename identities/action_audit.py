"""What every action (identities/actions.py) does the same way: one audit event per region
touched, SES failures said in words (an unanswered call is never claimed to have done
nothing), and the per-region loop that stays inside the web request's time budget."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from identities.action_types import Level, RegionOutcome
from identities.models import Identity
from regions import events, ses
from regions.models import Event, Region
from regions.ses_types import SesError

log = logging.getLogger("identities.actions")


def unanswered(err: Exception) -> bool:
    return isinstance(err, SesError) and err.unanswered


def ses_failure(err: Exception, done: str = "done") -> str:
    if unanswered(err):
        # Sent but unanswered: SES may have acted. Never claim that nothing changed.
        return f"{err.message}; the next sync shows whether it was {done}"
    if isinstance(err, SesError):
        return str(err)
    # Not an SES answer (e.g. credentials that cannot even build a client): the user still
    # gets a message rather than a 500, and the details go to the log.
    log.exception("unexpected error calling SES")
    return f"unexpected error ({type(err).__name__}); see the server log"


def audit(
    user: Any,
    identity: Identity,
    region: Region | None,
    subject: str,
    ok: bool,
    message: str,
    *,
    refused: bool = False,
) -> None:
    events.record_event(
        kind=Event.Kind.ACTION,
        actor=user,
        account=identity.account,
        region=region,
        identity_name=identity.name,
        subject=subject,
        result=Event.Result.REFUSED if refused else Event.Result.OK if ok else Event.Result.ERROR,
        message=message,
    )


def each_region(
    regions: Sequence[Region],
    call: Callable[[Region], RegionOutcome],
    *,
    user: Any,
    identity: Identity,
    subject: str,
) -> list[RegionOutcome]:
    """`call` per region with interactive SES timeouts, inside the web request's budget: a
    region not started by ses.INTERACTIVE_START_WITHIN is "not tried" (and audited so)."""
    items = []
    with ses.interactive():
        deadline = time.monotonic() + ses.INTERACTIVE_START_WITHIN
        for region in regions:
            if time.monotonic() <= deadline:
                items.append(call(region))
                continue
            text = "not tried: SES was slow and the page had to answer; try this region again"
            audit(user, identity, region, subject, False, text)
            items.append(RegionOutcome(region.code, False, text))
    return items


def unknown_summary(items: list[RegionOutcome], done: str) -> str:
    where = ", ".join(i.region for i in items if i.unknown)
    return (
        f"SES did not answer in {ses.INTERACTIVE_READ_TIMEOUT} s ({where}); "
        f"the next sync shows whether it was {done}."
    )


def outcome_level(done: list[RegionOutcome], items: list[RegionOutcome]) -> Level:
    return "success" if len(done) == len(items) else "warning"
