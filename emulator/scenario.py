"""Scenario files (YAML or JSON): seed accounts, regions, identities and DNS zones.

See emulator/README.md for the format. `apply()` replaces the whole world (accounts,
mail, stats, zones); it raises ScenarioError with a clear message on a bad file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator import account, endpoints, vdm
from emulator.app import App
from emulator.errors import SesError
from emulator.state import Region, random_token
from emulator.zones import Record, Zone, norm


class ScenarioError(ValueError):
    pass


def read(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text()
    if str(path).endswith(".json"):
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping at the top level")
    return data


def parse_yaml(text: str) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a mapping at the top level")
    return data


def _rate(target: Any, spec: Any, where: str) -> None:
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise ScenarioError(f"{where}: rate_limit must be a mapping {{rps, burst}}")
    if "rps" in spec:
        target.rps = float(spec["rps"]) if spec["rps"] else None
        if hasattr(target, "rate_set"):
            target.rate_set = True
    if spec.get("burst") is not None:
        target.burst = float(spec["burst"])


def apply(app: App, data: dict[str, Any] | None) -> None:
    st = app.state
    data = data or {}
    with st.lock:
        st.clear()
        st.store.clear()
        app.route53.clear()
        if "route53_insync_seconds" in data:
            app.route53.insync_seconds = float(data["route53_insync_seconds"])
        s = st.settings
        if "verification_timeout_hours" in data:
            s.verification_timeout_seconds = float(data["verification_timeout_hours"]) * 3600
        if "review_delay_seconds" in data:
            s.review_delay_seconds = float(data["review_delay_seconds"])
        if "link_expiry_hours" in data:
            s.link_expiry_seconds = float(data["link_expiry_hours"]) * 3600
        if "endpoint_ready_seconds" in data:
            s.endpoint_ready_seconds = float(data["endpoint_ready_seconds"])
        if "review_outcome" in data:
            s.review_outcome = str(data["review_outcome"]).upper()
        s.signing_hosted_zones.update(data.get("signing_hosted_zones") or {})
        if "rate_limit" in data:
            s.rps = None
            _rate(s, data["rate_limit"], "rate_limit")
        for z in data.get("zones") or []:
            _zone(app, z)
        for z in data.get("hosted_zones") or []:
            _detached_zone(app, z)
        for acct in data.get("accounts") or []:
            _account(app, acct)
        app.scenario = data
    app.zones_changed()


def _zone(app: App, z: dict[str, Any]) -> None:
    try:
        app.store.add_zone(
            z["origin"], dict(z.get("nameservers") or {}), bool(z.get("delegated", True))
        )
        for r in z.get("records") or []:
            app.store.add_record(
                r["name"], r["type"], str(r["value"]), int(r.get("ttl", 300)), r.get("servers")
            )
        if z.get("hosted_zone"):
            _hosted_zone(app, app.store.zone_for(z["origin"]), z["hosted_zone"], z["origin"])
    except (KeyError, TypeError) as exc:
        raise ScenarioError(f"zone {z.get('origin')!r}: {exc}") from exc


def _hosted_zone(app: App, zone: Any, spec: Any, where: str) -> None:
    """Make `zone` a Route 53 hosted zone of the account `spec` names."""
    if not isinstance(spec, dict) or "account" not in spec:
        raise ScenarioError(f"zone {where!r}: hosted_zone needs an account")
    app.route53.add(
        str(spec["account"]),
        zone,
        private=bool(spec.get("private", False)),
        comment=str(spec.get("comment") or ""),
    )


def _detached_zone(app: App, z: dict[str, Any]) -> None:
    """A hosted zone the DNS does not point at: its records are served by no nameserver."""
    try:
        # Route 53 gives every zone four nameservers of its own; these serve nothing here.
        servers = z.get("nameservers") or {f"ns-{n}.awsdns-emulated.example": "" for n in (1, 2)}
        zone = Zone(norm(z["origin"]), dict(servers), delegated=False)
        zone.records = [
            Record(norm(r["name"]), str(r["type"]).upper(), str(r["value"]), int(r.get("ttl", 300)))
            for r in z.get("records") or []
        ]
        _hosted_zone(app, zone, z, z["origin"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"hosted zone {z.get('origin')!r}: {exc}") from exc


def _account(app: App, spec: dict[str, Any]) -> None:
    if "id" not in spec:
        raise ScenarioError("every account needs an id")
    acct = app.state.account(str(spec["id"]))
    acct.label = str(spec.get("label") or "")
    for key in spec.get("access_keys") or []:
        app.state.access_keys[str(key)] = acct.id
    for name, rspec in (spec.get("regions") or {}).items():
        region_config(app, app.state.region(acct.id, name), rspec or {})
        for ispec in (rspec or {}).get("identities") or []:
            _identity(app, app.state.region(acct.id, name), ispec)


def region_config(app: App, reg: Region, spec: dict[str, Any]) -> None:
    """Apply region settings (shared by the scenario and POST /_emulator/regions/...)."""
    if "production" in spec or "sandbox" in spec:
        production = bool(spec["production"]) if "production" in spec else not bool(spec["sandbox"])
        account.set_production(reg, production)
    for key in ("sending_enabled", "denied"):
        if key in spec:
            setattr(reg, key, bool(spec[key]))
    if "enforcement_status" in spec or "enforcement" in spec:
        reg.enforcement_status = str(
            spec.get("enforcement_status") or spec.get("enforcement")
        ).upper()
    if "down" in spec:
        if spec["down"] not in (None, "5xx", "refuse"):
            raise ScenarioError(f"{reg.name}: down must be null, '5xx' or 'refuse'")
        reg.down = spec["down"]
    if "latency_ms" in spec:
        reg.latency_ms = float(spec["latency_ms"] or 0)
    if "rps" in spec or "rate_limit" in spec:
        _rate(
            reg,
            spec.get("rate_limit") or {"rps": spec["rps"], "burst": spec.get("burst")},
            reg.name,
        )
        app.state.buckets.pop((reg.account_id, reg.name), None)
    quota = spec.get("quota") or {}
    if "max_24h" in quota:
        reg.max_24h = float(quota["max_24h"])
    if "max_send_rate" in quota:
        reg.max_send_rate = float(quota["max_send_rate"])
    if "sent_last_24h" in quota:
        reg.sent_base = float(quota["sent_last_24h"])
    for key in ("review_outcome", "signing_hosted_zone"):
        if key in spec:
            setattr(reg, key, spec[key])
    if "review_delay_seconds" in spec:
        reg.review_delay_seconds = float(spec["review_delay_seconds"])
    if "details" in spec:
        reg.details = dict(spec["details"] or {}) or None
    if "endpoints" in spec:
        _endpoints(app, reg, spec["endpoints"])
    if "vdm" in spec:
        try:
            vdm.configure(reg, spec["vdm"], app.state.now())
        except (ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(f"{reg.name}: vdm: {exc}") from exc
    if spec.get("review"):
        review = spec["review"]
        reg.review = {
            "status": str(review.get("status", "PENDING")).upper(),
            "case_id": str(review.get("case_id") or "10000000001"),
            "requested_at": app.state.now() - float(review.get("age_seconds", 0)),
        }


def _endpoints(app: App, reg: Region, specs: Any) -> None:
    """The region's global endpoints (it is their primary region), replacing any it had:
    [{name, secondary, status?}]; a status (READY, FAILED, CREATING...) stays as given."""
    if not isinstance(specs, list):
        raise ScenarioError(f"{reg.name}: endpoints must be a list of {{name, secondary}}")
    reg.endpoints.clear()
    for spec in specs:
        if not isinstance(spec, dict) or "name" not in spec or "secondary" not in spec:
            raise ScenarioError(f"{reg.name}: every endpoint needs a name and a secondary")
        status = str(spec.get("status") or "READY").upper()
        if status not in endpoints.STATUSES:
            raise ScenarioError(f"{reg.name}: endpoint status must be one of {endpoints.STATUSES}")
        body = {
            "EndpointName": spec["name"],
            "Details": {"RoutesDetails": [{"Region": spec["secondary"]}]},
        }
        try:
            endpoints.create(app.state, reg, body, pinned=status)
        except SesError as exc:
            raise ScenarioError(f"{reg.name}: endpoint {spec['name']!r}: {exc}") from exc


def _identity(app: App, reg: Region, spec: dict[str, Any]) -> None:
    st, ids = app.state, app.ids
    where = f"{reg.account_id}/{reg.name}/{spec.get('name')}"
    dkim = None
    if spec.get("selector") or spec.get("private_key"):
        dkim = {
            "DomainSigningSelector": spec.get("selector"),
            "DomainSigningPrivateKey": spec.get("private_key"),
        }
    if spec.get("dkim_origin"):
        dkim = {**(dkim or {}), "DomainSigningAttributesOrigin": spec["dkim_origin"]}
    try:
        ident = ids.create(reg, str(spec["name"]), dkim)
    except (KeyError, SesError) as exc:
        raise ScenarioError(f"identity {where}: {exc}") from exc
    if spec.get("tokens") and ident.dkim_origin == "AWS_SES":
        ident.tokens = [str(t) for t in spec["tokens"]]
    back = float(spec.get("created_hours_ago", 0)) * 3600
    for lc in (ident.verification, ident.dkim, ident.mail_from):
        lc.window_start -= back
    ident.created_at -= back
    if "sending_enabled" in spec:
        ident.sending_enabled = bool(spec["sending_enabled"])
    mf = spec.get("mail_from")
    if mf:
        ids.set_mail_from(reg, ident, mf.get("domain"), mf.get("behavior"))
        if mf.get("published"):
            _publish(app, where, mf["domain"], "MX", f"10 feedback-smtp.{reg.name}.amazonses.com")
    if ident.kind == "DOMAIN":
        mode = spec.get("dkim", "missing")
        if mode not in ("published", "missing", "partial"):
            raise ScenarioError(f"identity {where}: dkim must be published, missing or partial")
        if mode != "missing":
            for name, rtype, value in dkim_records(app, reg, ident)[
                : 2 if mode == "partial" else None
            ]:
                _publish(app, where, name, rtype, value)
        if spec.get("verification_txt") == "published":
            _publish(app, where, f"_amazonses.{ident.name}", "TXT", f'"{ident.verification_token}"')
    status = spec.get("status")
    if status:
        status = str(status).upper()
        if ident.kind == "EMAIL_ADDRESS" and status != "PENDING":
            # Its verification mail belongs to the past: keep the mail log to what is pending.
            mail = st.mail.pop()
            st.links.pop(mail["token"], None)
        if ident.kind == "EMAIL_ADDRESS" or status != "PENDING":
            ident.verification.status = status
            if ident.kind == "DOMAIN" and spec.get("dkim", "missing") == "missing":
                ident.dkim.status = status
        if status == "SUCCESS":
            ident.verification.last_success = st.now()
        if spec.get("pin"):
            # Keep this status whatever the DNS says: big benchmark worlds need no records.
            ident.verification.status = ident.dkim.status = status
            ident.verification.pinned = ident.dkim.pinned = True


def dkim_records(app: App, reg: Region, ident: Any) -> list[tuple[str, str, str]]:
    """The (name, type, value) records the identity needs for DKIM, as SES lists them."""
    if ident.dkim_origin == "EXTERNAL":
        return [
            (
                f"{ident.selector}._domainkey.{ident.name}",
                "TXT",
                _txt_value(f"p={ident.public_key}"),
            )
        ]
    zone = app.ids.hosted_zone(reg, ident)
    return [
        (f"{t}._domainkey.{ident.name}", "CNAME", f"{t}.{zone}") for t in app.ids.tokens(reg, ident)
    ]


def _txt_value(text: str) -> str:
    """Presentation-format TXT, split into 255-character strings as DNS requires."""
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def _publish(app: App, where: str, name: str, rtype: str, value: str) -> None:
    try:
        app.store.add_record(name, rtype, value)
    except KeyError as exc:
        raise ScenarioError(
            f"identity {where}: no zone holds {name} (add it under zones:)"
        ) from exc


__all__ = ["ScenarioError", "apply", "dkim_records", "random_token", "read", "region_config"]
