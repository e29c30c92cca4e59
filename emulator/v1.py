"""SES v1 (query protocol: POST / with Action=..., XML answers), as botocore's ses model."""

from __future__ import annotations

import base64
from typing import Any
from xml.sax.saxutils import escape

from emulator import account
from emulator.app import App
from emulator.errors import SesError, unknown_operation
from emulator.identities import check_identity_name, normalize
from emulator.state import Identity, Region

NS = "http://ses.amazonaws.com/doc/2010-12-01/"
V1_STATUS = {
    "PENDING": "Pending",
    "SUCCESS": "Success",
    "FAILED": "Failed",
    "TEMPORARY_FAILURE": "TemporaryFailure",
    "NOT_STARTED": "NotStarted",
}
V1_BEHAVIOR = {"USE_DEFAULT_VALUE": "UseDefaultValue", "REJECT_MESSAGE": "RejectMessage"}
MAX_BATCH = 100


def invalid(message: str) -> SesError:
    return SesError("BadRequestException", message, v1_code="InvalidParameterValue")


def _xml(value: Any) -> str:
    """Serialize a result value: dict -> elements, list -> <member>, map -> <entry>."""
    if isinstance(value, dict):
        return "".join(f"<{k}>{_xml(v)}</{k}>" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "".join(f"<member>{_xml(v)}</member>" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _map(entries: dict[str, dict[str, Any]]) -> str:
    return "".join(
        f"<entry><key>{escape(k)}</key><value>{_xml(v)}</value></entry>" for k, v in entries.items()
    )


class Raw(str):
    """Already serialized XML (a map)."""


def render(action: str, result: dict[str, Any], request_id: str) -> bytes:
    inner = "".join(
        f"<{k}>{v if isinstance(v, Raw) else _xml(v)}</{k}>"
        for k, v in result.items()
        if v is not None
    )
    return (
        f'<{action}Response xmlns="{NS}"><{action}Result>{inner}</{action}Result>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


def render_error(err: SesError, request_id: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>{err.v1_type}</Type>'
        f"<Code>{escape(err.v1_code)}</Code>"
        f"<Message>{escape(err.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def _members(form: dict[str, str], prefix: str) -> list[str]:
    out, i = [], 1
    while f"{prefix}.member.{i}" in form:
        out.append(form[f"{prefix}.member.{i}"])
        i += 1
    return out


def _batch(form: dict[str, str]) -> list[str]:
    names = _members(form, "Identities")
    if not names and "Identities" not in form:
        raise SesError("BadRequestException", "Identities is required.", v1_code="MissingParameter")
    if len(names) > MAX_BATCH:
        raise invalid(f"Too many identities: at most {MAX_BATCH} per request.")
    return names


def _required(form: dict[str, str], key: str) -> str:
    value = form.get(key)
    if not value:
        raise SesError("BadRequestException", f"{key} is required.", v1_code="MissingParameter")
    return value


def _lookup(reg: Region, name: str) -> Identity | None:
    return reg.identities.get(normalize(name))


def run(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    handler = _HANDLERS.get(action)
    if handler is None:
        raise unknown_operation(action)
    with app.state.lock:
        return handler(app, reg, action, form)


def _verify_email(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    raw = _required(form, "EmailAddress")
    if "@" not in raw:
        raise invalid(f"Invalid email address <{raw}>.")
    name, kind = check_identity_name(raw)
    if kind != "EMAIL_ADDRESS":
        raise invalid(f"Invalid email address <{raw}>.")
    ident = reg.identities.get(name)
    if ident is None:
        app.ids.create(reg, raw)  # sends the verification mail
    else:
        app.ids.send_verification(reg, ident)  # SES sends a new one for an existing address
    return {}


def _verify_domain(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    ids = app.ids
    raw = _required(form, "Domain")
    name, kind = check_identity_name(raw)
    if kind != "DOMAIN":
        raise invalid(f"Invalid domain name <{raw}>.")
    ident = reg.identities.get(name) or ids.create(reg, raw)
    app.ev.evaluate(reg, ident)  # a FAILED that only time has caused must show first
    if action == "VerifyDomainIdentity":
        if ident.verification.status == "FAILED":  # asking again restarts it
            ident.verification.restart(app.state.now())
        return {"VerificationToken": ident.verification_token}
    if ident.dkim_origin != "AWS_SES" or ident.dkim.status == "FAILED":
        ids.apply_dkim(reg, ident, "AWS_SES", None)
    return {"DkimTokens": ids.tokens(reg, ident)}


def _delete_identity(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    name = normalize(_required(form, "Identity"))
    if name in reg.identities:  # v1 answers success for an unknown identity
        app.ids.refuse_parent_delete(reg, name)
        reg.remove_identity(name)
    return {}


def _set_dkim_enabled(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    enabled = _required(form, "DkimEnabled").lower()
    if enabled not in ("true", "false"):
        raise invalid("DkimEnabled must be true or false.")
    app.ids.set_signing(reg, app.ids.get(reg, _required(form, "Identity")), enabled == "true")
    return {}


def _list_identities(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    return _list(form, reg)


def _batch_read(reg: Region, form: dict[str, str], entry) -> str:
    """The v1 batch reads: each known name of the batch, evaluated, mapped by `entry`;
    SES leaves unknown identities out."""
    out: dict[str, dict[str, Any]] = {}
    for name in _batch(form):
        ident = _lookup(reg, name)
        if ident is not None:
            out[name] = entry(ident)
    return _map(out)


def _verification_attributes(
    app: App, reg: Region, action: str, form: dict[str, str]
) -> dict[str, Any]:
    def entry(ident: Identity) -> dict[str, Any]:
        app.ev.evaluate(reg, ident)
        out: dict[str, Any] = {"VerificationStatus": V1_STATUS[ident.verification.status]}
        if ident.kind == "DOMAIN":
            out["VerificationToken"] = ident.verification_token
        return out

    return {"VerificationAttributes": Raw(_batch_read(reg, form, entry))}


def _dkim_attributes(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    def entry(ident: Identity) -> dict[str, Any]:
        if ident.kind != "DOMAIN":
            return {"DkimEnabled": ident.signing_enabled, "DkimVerificationStatus": "NotStarted"}
        app.ev.evaluate(reg, ident)
        return {
            "DkimEnabled": ident.signing_enabled,
            "DkimVerificationStatus": V1_STATUS[ident.dkim.status],
            "DkimTokens": app.ids.tokens(reg, ident),
        }

    return {"DkimAttributes": Raw(_batch_read(reg, form, entry))}


def _mail_from_attributes(
    app: App, reg: Region, action: str, form: dict[str, str]
) -> dict[str, Any]:
    def entry(ident: Identity) -> dict[str, Any]:
        app.ev.evaluate(reg, ident)
        out = {"BehaviorOnMXFailure": V1_BEHAVIOR[ident.behavior_on_mx_failure]}
        if ident.mail_from_domain:
            out = {
                "MailFromDomain": ident.mail_from_domain,
                "MailFromDomainStatus": V1_STATUS[ident.mail_from.status],
                **out,
            }
        return out

    return {"MailFromDomainAttributes": Raw(_batch_read(reg, form, entry))}


def _send_quota(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    q = account.quota_json(app.state, reg)
    return {
        "Max24HourSend": q["Max24HourSend"],
        "MaxSendRate": q["MaxSendRate"],
        "SentLast24Hours": q["SentLast24Hours"],
    }


def _send_email(app: App, reg: Region, action: str, form: dict[str, str]) -> dict[str, Any]:
    rcpts = [
        a
        for k in ("ToAddresses", "CcAddresses", "BccAddresses")
        for a in _members(form, f"Destination.{k}")
    ]
    body = form.get("Message.Body.Text.Data") or form.get("Message.Body.Html.Data") or ""
    message_id = account.send_email(
        app.state,
        app.ev,
        reg,
        _required(form, "Source"),
        rcpts,
        form.get("Message.Subject.Data", ""),
        body,
        return_path=form.get("ReturnPath") or None,
    )
    return {"MessageId": message_id}


_HANDLERS = {
    "VerifyEmailIdentity": _verify_email,
    "VerifyEmailAddress": _verify_email,
    "VerifyDomainIdentity": _verify_domain,
    "VerifyDomainDkim": _verify_domain,
    "DeleteIdentity": _delete_identity,
    "SetIdentityDkimEnabled": _set_dkim_enabled,
    "ListIdentities": _list_identities,
    "GetIdentityVerificationAttributes": _verification_attributes,
    "GetIdentityDkimAttributes": _dkim_attributes,
    "GetIdentityMailFromDomainAttributes": _mail_from_attributes,
    "GetSendQuota": _send_quota,
    "SendEmail": _send_email,
}
OPERATIONS = frozenset(_HANDLERS)  # what server.py routes to this module


def _list(form: dict[str, str], reg: Region) -> dict[str, Any]:
    kind = {"EmailAddress": "EMAIL_ADDRESS", "Domain": "DOMAIN", None: None}.get(
        form.get("IdentityType"), "?"
    )
    if kind == "?":
        raise invalid(f"Invalid IdentityType: {form.get('IdentityType')}.")
    try:
        size = int(form.get("MaxItems") or 1000)
    except ValueError:
        raise invalid("MaxItems must be an integer.") from None
    if not 1 <= size <= 1000:
        raise invalid("MaxItems must be between 1 and 1000.")
    token = form.get("NextToken")
    try:
        after = base64.urlsafe_b64decode(token.encode()).decode() if token else None
    except Exception:
        raise invalid("Invalid NextToken.") from None
    page, last = reg.page(after, size, kind)
    return {
        "Identities": [i.name for i in page],
        "NextToken": base64.urlsafe_b64encode(last.encode()).decode() if last else None,
    }
