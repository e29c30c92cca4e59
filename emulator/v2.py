"""SES v2 (REST-JSON, `/v2/email/...`) operations, shaped as botocore's sesv2 model."""

from __future__ import annotations

import base64
import re
from email import message_from_bytes
from email.utils import formataddr, getaddresses
from typing import Any
from urllib.parse import unquote

from emulator import account, endpoints, vdm
from emulator.app import App
from emulator.errors import bad_request, page_size, unknown_operation
from emulator.lifecycle import deed_parent
from emulator.state import Identity, Region

_ID = r"/v2/email/identities/(?P<id>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/v2/email/account$"), "GetAccount"),
    ("POST", re.compile(r"^/v2/email/account/details$"), "PutAccountDetails"),
    ("PUT", re.compile(r"^/v2/email/account/vdm$"), "PutAccountVdmAttributes"),
    ("POST", re.compile(r"^/v2/email/vdm/recommendations$"), "ListRecommendations"),
    ("POST", re.compile(r"^/v2/email/identities$"), "CreateEmailIdentity"),
    ("POST", re.compile(r"^/v2/email/list-identities$"), "ListEmailIdentities"),
    ("GET", re.compile(r"^/v2/email/identities$"), "ListEmailIdentities"),  # older botocore
    ("GET", re.compile(f"^{_ID}$"), "GetEmailIdentity"),
    ("DELETE", re.compile(f"^{_ID}$"), "DeleteEmailIdentity"),
    ("PUT", re.compile(f"^{_ID}/dkim$"), "PutEmailIdentityDkimAttributes"),
    ("PUT", re.compile(f"^{_ID}/dkim/signing$"), "PutEmailIdentityDkimSigningAttributes"),
    ("PUT", re.compile(f"^{_ID}/mail-from$"), "PutEmailIdentityMailFromAttributes"),
    ("POST", re.compile(r"^/v2/email/outbound-emails$"), "SendEmail"),
    *endpoints.ROUTES,
]


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    for m, pattern, op in ROUTES:
        match = pattern.match(path)
        if match and m == method:
            return op, {k: unquote(v) for k, v in match.groupdict().items()}
    raise unknown_operation(f"{method} {path}")


def dkim_json(app: App, reg: Region, ident: Identity) -> dict[str, Any]:
    if ident.kind == "EMAIL_ADDRESS":
        return {
            "SigningEnabled": ident.signing_enabled,
            "Status": "NOT_STARTED",
            "SigningAttributesOrigin": "AWS_SES",
            "NextSigningKeyLength": ident.key_length,
        }
    out: dict[str, Any] = {
        "SigningEnabled": ident.signing_enabled,
        "Status": ident.dkim.status,
        "Tokens": app.ids.tokens(reg, ident),
        "SigningAttributesOrigin": ident.dkim_origin,
    }
    if ident.dkim_origin != "EXTERNAL":
        out["SigningHostedZone"] = app.ids.hosted_zone(reg, ident)
        out["CurrentSigningKeyLength"] = ident.key_length
        out["NextSigningKeyLength"] = ident.key_length
        out["LastKeyGenerationTimestamp"] = ident.key_generated_at
    return out


def identity_json(app: App, reg: Region, ident: Identity) -> dict[str, Any]:
    ev = app.ev
    ev.evaluate(reg, ident)
    mail_from: dict[str, Any] = {"BehaviorOnMxFailure": ident.behavior_on_mx_failure}
    if ident.mail_from_domain:
        mail_from["MailFromDomain"] = ident.mail_from_domain
        mail_from["MailFromDomainStatus"] = ident.mail_from.status
    info: dict[str, Any] = {}
    if ident.kind == "DOMAIN":
        lc = ident.verification
        if lc.last_checked is not None:
            info["LastCheckedTimestamp"] = lc.last_checked
        if lc.last_success is not None:
            info["LastSuccessTimestamp"] = lc.last_success
        if lc.error_type and lc.status != "SUCCESS":
            info["ErrorType"] = lc.error_type
        zone = app.state.store.zone_for(ident.name)
        if zone is not None and zone.nameservers and lc.soa_serial is not None:
            # The SOA SES saw at its last check: a zone changed since serves a newer serial.
            info["SOARecord"] = {
                "PrimaryNameServer": next(iter(zone.nameservers)),
                "AdminEmail": f"hostmaster.{zone.origin}",
                "SerialNumber": lc.soa_serial,
            }
    out: dict[str, Any] = {
        "IdentityType": ident.kind,
        "FeedbackForwardingStatus": ident.feedback_forwarding,
        "VerifiedForSendingStatus": ev.verified_for_sending(reg, ident),
        "DkimAttributes": dkim_json(app, reg, ident),
        "MailFromAttributes": mail_from,
        "Policies": {},
        "Tags": ident.tags,
        "VerificationStatus": ident.verification.status,
        "VerificationInfo": info,
    }
    if ident.configuration_set:
        out["ConfigurationSetName"] = ident.configuration_set
    return out


def _page_size(value: Any) -> int:
    return page_size(value, low=0)  # the model: "at least 0, and can be no more than 1000"


def _next_name(token: Any) -> str | None:
    if not token:
        return None
    try:
        return base64.b64decode(str(token).encode(), altchars=b"-_", validate=True).decode()
    except Exception:
        raise bad_request("Invalid NextToken.") from None


def _token(name: str | None) -> str | None:
    return base64.urlsafe_b64encode(name.encode()).decode() if name else None


# A continuation token that sorts before every identity name: "start from the beginning".
_START = "\x00"


def _empty_page(reg: Region, after: str | None) -> dict[str, Any]:
    """PageSize 0 (allowed by the model): no items; a NextToken when identities remain, so
    a client that pages on NextToken loses nothing."""
    out: dict[str, Any] = {"EmailIdentities": []}
    if reg.page(after, 1)[0]:
        out["NextToken"] = _token(after or _START)
    return out


def _recipients(dest: Any) -> list[str]:
    if dest is None:
        return []
    if not isinstance(dest, dict):
        raise bad_request("Destination must be an object.")
    out: list[str] = []
    for key in ("ToAddresses", "CcAddresses", "BccAddresses"):
        value = dest.get(key) or []
        if not isinstance(value, list):
            raise bad_request(f"{key} must be a list.")
        out += [str(v) for v in value]
    return out


def _send(app: App, reg: Region, body: dict[str, Any]) -> dict[str, Any]:
    content = body.get("Content")
    if not isinstance(content, dict) or not content:
        raise bad_request("Content is required.")
    source, rcpts = body.get("FromEmailAddress"), _recipients(body.get("Destination"))
    subject, text = "", ""
    if isinstance(content.get("Simple"), dict):
        simple = content["Simple"]
        subject = str((simple.get("Subject") or {}).get("Data", ""))
        b = simple.get("Body") or {}
        text = str((b.get("Text") or b.get("Html") or {}).get("Data", ""))
    elif isinstance(content.get("Raw"), dict):
        try:
            msg = message_from_bytes(base64.b64decode(content["Raw"].get("Data") or ""))
        except Exception:
            raise bad_request("Raw message data is not valid base64.") from None
        source = source or msg.get("From")
        rcpts = rcpts or [
            formataddr(pair)
            for pair in getaddresses([str(msg.get(h) or "") for h in ("To", "Cc")])
            if pair[1]
        ]
        subject = str(msg.get("Subject") or "")
    elif isinstance(content.get("Template"), dict):
        subject = str(content["Template"].get("TemplateName") or "")
    else:
        raise bad_request("Content must hold Simple, Raw or Template.")
    if not source:
        raise bad_request("Missing required FromEmailAddress.")
    feedback = body.get("FeedbackForwardingEmailAddress")
    if feedback is not None and not isinstance(feedback, str):
        raise bad_request("FeedbackForwardingEmailAddress must be a string.")
    message_id = account.send_email(
        app.state, app.ev, reg, str(source), rcpts, subject, text, return_path=feedback or None
    )
    return {"MessageId": message_id}


def run(
    app: App,
    reg: Region,
    op: str,
    params: dict[str, str],
    query: dict[str, str],
    body: dict[str, Any],
) -> dict[str, Any]:
    """Execute one operation; the result is the JSON body of a 200 answer."""
    with app.state.lock:
        handler = _HANDLERS.get(op)
        if handler is not None:
            return handler(app, reg, params, query, body)
        if op in vdm.OPERATIONS:
            return vdm.run(reg, op, body)
        answer = endpoints.run(app.state, reg, op, params, query, body)
        if answer is not None:
            return answer
    raise unknown_operation(op)


Params = dict[str, str]
Body = dict[str, Any]


def _get_account(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    return account.account_json(app.state, reg)


def _put_account_details(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    account.put_account_details(app.state, reg, body)
    return {}


def _create_identity(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    ids = app.ids
    dkim = body.get("DkimSigningAttributes")
    if dkim is not None and not isinstance(dkim, dict):
        raise bad_request("DkimSigningAttributes must be an object.")
    origin = (dkim or {}).get("DomainSigningAttributesOrigin")
    if isinstance(origin, str):
        ids.check_deed_parent(reg, _string(body, "EmailIdentity"), origin)
    ident = ids.create(
        reg,
        _string(body, "EmailIdentity"),
        dkim,
        tags=body.get("Tags"),
        configuration_set=body.get("ConfigurationSetName"),
    )
    return {
        "IdentityType": ident.kind,
        "VerifiedForSendingStatus": app.ev.verified_for_sending(reg, ident),
        "DkimAttributes": dkim_json(app, reg, ident),
    }


def _list_identities(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    size = _page_size(body.get("PageSize", query.get("PageSize")))
    after = _next_name(body.get("NextToken", query.get("NextToken")))
    if size == 0:
        return _empty_page(reg, after)
    page, last = reg.page(after, size)
    items = []
    for ident in page:
        app.ev.evaluate(reg, ident)
        items.append(
            {
                "IdentityType": ident.kind,
                "IdentityName": ident.name,
                "SendingEnabled": ident.sending_enabled,
                "VerificationStatus": ident.verification.status,
            }
        )
    out: dict[str, Any] = {"EmailIdentities": items}
    if last:
        out["NextToken"] = _token(last)
    return out


def _get_identity(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    return identity_json(app, reg, app.ids.get(reg, params["id"]))


def _delete_identity(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    app.ids.delete(reg, params["id"])
    return {}


def _put_dkim_signing(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    ids = app.ids
    ident = ids.get(reg, params["id"])
    if ident.kind != "DOMAIN":
        raise bad_request("DKIM signing attributes can only be set for a domain identity.")
    attrs = body.get("SigningAttributes")
    if attrs is not None and not isinstance(attrs, dict):
        raise bad_request("SigningAttributes must be an object.")
    origin = _string(body, "SigningAttributesOrigin")
    ids.check_deed_parent(reg, ident.name, origin)
    ids.apply_dkim(reg, ident, origin, attrs)
    app.ev.evaluate(reg, ident)
    out = {"DkimStatus": ident.dkim.status, "DkimTokens": ids.tokens(reg, ident)}
    if ident.dkim_origin != "EXTERNAL" or deed_parent(ident.dkim_origin):
        out["SigningHostedZone"] = ids.hosted_zone(reg, ident)
    return out


def _put_dkim(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    ident = app.ids.get(reg, params["id"])
    enabled = body.get("SigningEnabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise bad_request("SigningEnabled must be a boolean.")
    app.ids.set_signing(reg, ident, bool(enabled))
    return {}


def _put_mail_from(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    ident = app.ids.get(reg, params["id"])
    domain = body.get("MailFromDomain")
    if domain is not None and not isinstance(domain, str):
        raise bad_request("MailFromDomain must be a string.")
    app.ids.set_mail_from(reg, ident, domain, body.get("BehaviorOnMxFailure"))
    return {}


def _send_email(app: App, reg: Region, params: Params, query: Params, body: Body) -> Body:
    return _send(app, reg, body)


# One handler per operation of the identities and account; VDM (vdm.py) and global endpoints
# (endpoints.py) answer their own.
_HANDLERS = {
    "GetAccount": _get_account,
    "PutAccountDetails": _put_account_details,
    "CreateEmailIdentity": _create_identity,
    "ListEmailIdentities": _list_identities,
    "GetEmailIdentity": _get_identity,
    "DeleteEmailIdentity": _delete_identity,
    "PutEmailIdentityDkimSigningAttributes": _put_dkim_signing,
    "PutEmailIdentityDkimAttributes": _put_dkim,
    "PutEmailIdentityMailFromAttributes": _put_mail_from,
    "SendEmail": _send_email,
}


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{key} is required.")
    return value
