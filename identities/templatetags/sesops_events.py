"""An activity log people read: `{{ event|event_sentence }}` and `{{ event|event_actor }}`.

The audit log stores what changed as field names and values (`verified_for_sending`,
`False -> True`): exact, and what the API and alerts read. The pages say it in words:
"Verification succeeded", "Production access requested (case 123)"; the raw values stay in
the row's title for whoever needs them.
"""

from __future__ import annotations

from django import template

from regions.models import Event

register = template.Library()

_STATUS_WORDS = {
    "SUCCESS": "succeeded",
    "FAILED": "failed",
    "PENDING": "pending",
    "TEMPORARY_FAILURE": "temporarily failing",
    "NOT_STARTED": "not started",
}
_VERDICT_WORDS = {
    "ok": "now correct",
    "missing": "missing",
    "wrong_value": "has a wrong value",
    "wrong_type": "has the wrong type",
    "partial": "on some nameservers only",
    "unknown": "could not be checked",
}
_ACTIONS = {
    "resend_verification": ("Verification email resent", "Resending the verification email"),
    "add_to_region": ("Added to the region", "Adding to the region"),
    "sync_now": ("Sync requested", "Requesting a sync"),
    "check_dns": ("DNS checked", "Checking DNS"),
    "hide_region": ("Region visibility changed", "Changing the region's visibility"),
}


def _on(value: str) -> bool | None:
    return {"True": True, "False": False}.get(value)


def _status(what: str, after: str) -> str:
    return f"{what} {_STATUS_WORDS.get(after, after.lower().replace('_', ' ') or 'unknown')}"


def _identity_change(subject: str, before: str, after: str) -> str | None:
    flag = _on(after)
    simple = {
        "verification_status": lambda: _status("Verification", after),
        "dkim_status": lambda: _status("DKIM", after),
        "mail_from_status": lambda: _status("MAIL FROM", after),
        "verified_for_sending": lambda: (
            "Verified for sending" if flag else "No longer verified for sending"
        ),
        "sending_enabled": lambda: "Sending enabled" if flag else "Sending paused",
        "present": lambda: "Appeared in SES" if flag else "No longer in SES",
        "dkim_signing_enabled": lambda: "DKIM signing on" if flag else "DKIM signing off",
        "dkim_tokens": lambda: "New DKIM tokens: new CNAMEs to publish",
        "dkim_origin": lambda: f"DKIM origin now {after or 'unset'}",
        "mail_from_domain": lambda: (
            f"Custom MAIL FROM set to {after}" if after else "Custom MAIL FROM removed"
        ),
        "verification_error_type": lambda: f"SES reports {after}" if after else "SES error cleared",
        "ses_recommendation": lambda: (
            f"SES recommends: {after}" if after else f"SES closed its recommendation: {before}"
        ),
    }
    return simple[subject]() if subject in simple else None


def _account_change(subject: str, before: str, after: str, case: str) -> str | None:
    flag = _on(after)
    simple = {
        "production_access": lambda: (
            "Production access granted: out of the sandbox" if flag else "In the sandbox"
        ),
        "review_status": lambda: {
            "PENDING": f"Production access review pending{case}",
            "GRANTED": f"Production access granted{case}",
            "DENIED": f"Production access denied{case}",
            "FAILED": f"Production access review failed{case}: resubmit",
        }.get(after, f"Review status {after or 'cleared'}"),
        "enforcement_status": lambda: f"Account enforcement {after.lower() or 'unknown'}",
        "max_24_hour_send": lambda: f"24-hour quota {before or '?'} → {after}",
        "max_send_rate": lambda: f"Send rate {before or '?'} → {after} per second",
        "first_sync": lambda: f"First sync: {after} identities",
        "global_endpoint": lambda: (
            "Global endpoint no longer in SES"
            if after == "gone"
            else f"Global endpoint {before} → {after}"
            if before and before != "gone"
            else f"Global endpoint in SES ({after})"
        ),
        "sync": lambda: "Sync failed",
    }
    return simple[subject]() if subject in simple else None


def event_sentence_for(e: Event) -> str:
    subject, before, after = e.subject, e.before, e.after
    region = e.region if e.region_id else None
    case = f" (case {region.review_case_id})" if region and region.review_case_id else ""
    if e.kind == Event.Kind.ACTION and subject == "production_access":
        ok = e.result != Event.Result.ERROR
        return f"Production access requested{case}" if ok else "Production access request failed"
    if e.kind == Event.Kind.ACTION and subject in _ACTIONS:
        done, trying = _ACTIONS[subject]
        if e.result == Event.Result.REFUSED:
            return f"{trying} refused"
        return done if e.result != Event.Result.ERROR else f"{trying} failed"
    if subject.startswith("dns "):  # "dns dkim CNAME": one expected record's verdict
        _, purpose, rtype = [*subject.split(" ", 2), "", ""][:3]
        name = {"dkim": "DKIM", "mail_from_mx": "MAIL FROM", "mail_from_spf": "MAIL FROM SPF"}
        label = name.get(purpose, purpose.replace("_", " ").upper())
        return f"DNS {label} {rtype} record {_VERDICT_WORDS.get(after, after)}"
    sentence = _identity_change(subject, before, after) or _account_change(
        subject, before, after, case
    )
    if sentence:
        return sentence
    words = subject.replace("_", " ").strip().capitalize() or e.get_kind_display()
    return f"{words}: {before or '∅'} → {after or '∅'}" if before or after else words


@register.filter
def event_sentence(e: Event) -> str:
    return event_sentence_for(e)


@register.filter
def event_actor(e: Event) -> tuple[str, str]:
    """(who kind, name): person / sync / schedule / command / api."""
    name = e.actor_name or (e.actor.get_username() if e.actor_id and e.actor else "")
    if e.actor_id:
        return "person", name
    if name in ("beat", "schedule"):
        return "schedule", ""
    if name in ("sync", "command", "api"):
        return name, ""
    return ("person", name) if name else ("system", "")
