"""The `/_emulator/...` control API (JSON): reset, load scenarios, flip states, click
verification links, list sent mail, read request counts, move the clock. See README.md."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import unquote

from emulator import account, endpoints, scenario, vdm
from emulator.app import App
from emulator.errors import SesError
from emulator.identities import normalize
from emulator.state import Identity, Region

STATUSES = ("PENDING", "SUCCESS", "FAILED", "TEMPORARY_FAILURE", "NOT_STARTED")
Answer = tuple[int, bytes, str]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(status: int, data: Any) -> Answer:
    return status, json.dumps(data, default=str).encode(), "application/json"


def handle(
    app: App, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
) -> Answer:
    parts = [unquote(p) for p in path.split("/")[2:] if p]
    try:
        body: Any = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _json(400, {"error": "body is not valid JSON"})
    if not isinstance(body, dict):
        return _json(400, {"error": "body must be a JSON object"})
    try:
        with app.state.lock:
            if parts and parts[0] == "verify" and len(parts) == 2:
                return _verify(app, parts[1], headers)
            return _json(200, _dispatch(app, method, parts, query, body))
    except ControlError as exc:
        return _json(exc.status, {"error": str(exc)})
    except (scenario.ScenarioError, SesError, ValueError, KeyError, TypeError) as exc:
        return _json(400, {"error": str(exc)})


def _dispatch(
    app: App, method: str, parts: list[str], query: dict[str, str], body: dict[str, Any]
) -> Any:
    st = app.state
    head = parts[0] if parts else ""
    if head == "health":
        return {"ok": True}
    if head == "reset" and method == "POST":
        if body.get("reset_clock", True):
            st.clock.offset = 0.0
        scenario.apply(app, None if body.get("empty") else app.scenario)
        return {"ok": True}
    if head == "scenario" and method == "POST":
        if set(body) == {"path"}:
            data = scenario.read(body["path"])
        elif set(body) == {"yaml"}:
            data = scenario.parse_yaml(body["yaml"])
        else:
            data = body
        scenario.apply(app, data)
        return {"ok": True}
    if head == "state" and method == "GET":
        with app.ev.view.snapshot():  # one change check for the whole dump
            return state_json(app)
    if head == "regions" and len(parts) == 3:
        reg = st.region(parts[1], parts[2])
        if method == "POST":
            scenario.region_config(app, reg, body)
        return region_json(app, reg)
    if head == "review" and len(parts) == 3 and method == "POST":
        reg = st.region(parts[1], parts[2])
        account.finish_review(reg, str(body.get("status", "")).upper(), st.now())
        return account.account_json(st, reg)
    if head == "identities" and len(parts) == 4:
        return _identity(app, method, st.region(parts[1], parts[2]), parts[3], body)
    if head == "dns":
        if method == "POST":
            _dns(app, body)
        return dns_json(app)
    if head == "mail":
        if len(parts) == 2 and parts[1] == "clear" and method == "POST":
            st.mail.clear()
            return {"ok": True}
        return {"mail": [m for m in st.mail if all(_matches(m, k, v) for k, v in query.items())]}
    if head == "stats":
        if len(parts) == 2 and parts[1] == "reset" and method == "POST":
            st.reset_stats()
        return st.stats_json()
    if head == "route53":
        if method == "POST" and "insync_seconds" in body:
            app.route53.insync_seconds = float(body["insync_seconds"])
        return _route53_json(app)
    if head == "clock":
        if method == "POST":
            st.clock.advance(float(body.get("advance_seconds", 0)))
        return {"now": st.now(), "offset_seconds": st.clock.offset}
    raise ControlError(404, f"no control endpoint {method} /_emulator/{'/'.join(parts)}")


def _route53_json(app: App) -> dict[str, Any]:
    """Hosted zones (served by the DNS server or detached) and changes with their status."""
    r53 = app.route53
    zones = [
        {
            "id": hz.id,
            "name": hz.name,
            "account": hz.account_id,
            "private": hz.private,
            "served": app.store.zone_for(hz.zone.origin) is hz.zone,
            "nameservers": list(hz.zone.nameservers),
            "record_sets": len(r53.record_sets(hz)),
        }
        for hz in r53.zones.values()
    ]
    changes = [
        {"id": c.id, "status": r53.status(c), "submitted_at": c.submitted_at, "comment": c.comment}
        for c in r53.changes.values()
    ]
    return {"insync_seconds": r53.insync_seconds, "zones": zones, "changes": changes}


def _matches(mail: dict[str, Any], key: str, value: str) -> bool:
    if key == "to":
        return value in mail["to"]
    return key not in mail or str(mail[key]) == value


def _verify(app: App, token: str, headers: Any) -> Answer:
    status, message = app.ids.click(token)
    if "text/html" in (headers.get("Accept") or ""):
        page = f"<!doctype html><title>Amazon SES</title><h1>{html.escape(message)}</h1>"
        return status, page.encode(), "text/html; charset=utf-8"
    return _json(status, {"ok": status == 200, "message": message})


def _identity(app: App, method: str, reg: Region, raw: str, body: dict[str, Any]) -> Any:
    name = normalize(raw)
    ident = reg.identities.get(name)
    if method == "POST":
        if ident is None:
            if not body.get("create"):
                raise ControlError(404, f"no identity {name} in {reg.account_id}/{reg.name}")
            ident = app.ids.create(reg, raw)
        for key, lc in (
            ("verification_status", ident.verification),
            ("dkim_status", ident.dkim),
            ("mail_from_status", ident.mail_from),
        ):
            if key in body:
                if body[key] is None:
                    if lc.pinned:  # back to evaluation against DNS and clock, afresh
                        lc.restart(app.state.now())
                    continue
                value = str(body[key]).upper()
                if value not in STATUSES:
                    raise ControlError(400, f"{key} must be one of {STATUSES} or null")
                lc.status, lc.pinned = value, True
        if body.get("restart"):
            for lc in (ident.verification, ident.dkim, ident.mail_from):
                lc.restart(app.state.now())
        if "sending_enabled" in body:
            ident.sending_enabled = bool(body["sending_enabled"])
        for what in body.get("publish") or []:
            for rec in _records(app, reg, ident, what):
                app.store.add_record(*rec)
        for what in body.get("unpublish") or []:
            for rec in _records(app, reg, ident, what):
                app.store.remove_records(rec[0], rec[1])
    elif ident is None:
        raise ControlError(404, f"no identity {name} in {reg.account_id}/{reg.name}")
    return identity_json(app, reg, ident)


def _records(app: App, reg: Region, ident: Identity, what: str) -> list[tuple[str, str, str]]:
    if what == "dkim":
        return scenario.dkim_records(app, reg, ident)
    if what == "verification_txt":
        return [(f"_amazonses.{ident.domain}", "TXT", f'"{ident.verification_token}"')]
    if what == "mail_from" and ident.mail_from_domain:
        return [(ident.mail_from_domain, "MX", f"10 feedback-smtp.{reg.name}.amazonses.com")]
    raise ControlError(400, f"cannot publish {what!r}: use dkim, verification_txt or mail_from")


def _dns(app: App, body: dict[str, Any]) -> None:
    store = app.store
    for z in body.get("zones") or []:
        scenario._zone(app, z)
    if body.get("zones"):
        app.zones_changed()
    for r in body.get("remove") or []:
        store.remove_records(r["name"], r.get("type"))
    for r in body.get("add") or []:
        store.add_record(
            r["name"], r["type"], str(r["value"]), int(r.get("ttl", 300)), r.get("servers")
        )
    for f in body.get("faults") or []:
        store.set_fault(f["name"], f.get("fault"), f.get("server"))


def dns_json(app: App) -> dict[str, Any]:
    return {
        "zones": [
            {
                "origin": z.origin,
                "nameservers": z.nameservers,
                "delegated": z.delegated,
                "records": [
                    {
                        "name": r.name,
                        "type": r.rtype,
                        "value": r.value,
                        "ttl": r.ttl,
                        "servers": sorted(r.servers) if r.servers else None,
                    }
                    for r in z.records
                ],
            }
            for z in app.store.zones()
        ]
    }


def identity_json(app: App, reg: Region, ident: Identity) -> dict[str, Any]:
    app.ev.evaluate(reg, ident)
    return {
        "name": ident.name,
        "type": ident.kind,
        "verification_status": ident.verification.status,
        "dkim_status": ident.dkim.status if ident.kind == "DOMAIN" else None,
        "dkim_origin": ident.dkim_origin if ident.kind == "DOMAIN" else None,
        "tokens": app.ids.tokens(reg, ident),
        "verification_token": ident.verification_token if ident.kind == "DOMAIN" else None,
        "mail_from_domain": ident.mail_from_domain,
        "mail_from_status": ident.mail_from.status if ident.mail_from_domain else None,
        "sending_enabled": ident.sending_enabled,
        "verified_for_sending": app.ev.verified_for_sending(reg, ident),
        "records": [
            {"name": n, "type": t, "value": v}
            for n, t, v in (
                scenario.dkim_records(app, reg, ident) if ident.kind == "DOMAIN" else []
            )
        ],
    }


def region_json(app: App, reg: Region) -> dict[str, Any]:
    st = app.state
    account.resolve_review(st, reg)
    from emulator.faults import rate_of

    rps, burst = rate_of(st, reg)
    return {
        "account": reg.account_id,
        "region": reg.name,
        "production": reg.production,
        "sending_enabled": reg.sending_enabled,
        "enforcement_status": reg.enforcement_status,
        "quota": account.quota_json(st, reg),
        "review": reg.review,
        "details": reg.details,
        "down": reg.down,
        "denied": reg.denied,
        "latency_ms": reg.latency_ms,
        "rate_limit": {"rps": rps, "burst": burst},
        "signing_hosted_zone": st.hosted_zone(reg),
        "identity_count": len(reg.identities),
        "endpoints": [endpoints.get_json(st, reg.endpoints[n]) for n in sorted(reg.endpoints)],
        **vdm.region_json(reg),
    }


def state_json(app: App) -> dict[str, Any]:
    st = app.state
    return {
        "now": st.now(),
        "clock_offset_seconds": st.clock.offset,
        "accounts": [
            {
                "id": acct.id,
                "label": acct.label,
                "access_keys": sorted(k for k, a in st.access_keys.items() if a == acct.id),
                "regions": [
                    {
                        **region_json(app, reg),
                        "identities": [
                            identity_json(app, reg, reg.identities[n]) for n in reg.sorted_names
                        ],
                    }
                    for reg in acct.regions.values()
                ],
            }
            for acct in st.accounts.values()
        ],
        "mail_count": len(st.mail),
    }
