"""Virtual Deliverability Manager (VDM), per account-region: GetAccount's `VdmAttributes`,
`PutAccountVdmAttributes`, and the Advisor's `ListRecommendations`, shaped as botocore's
sesv2 model (filters, PageSize 1-100, NextToken).

Unconfirmed by AWS docs, and chosen here: GetAccount omits `VdmAttributes` until VDM was
ever set in the region (clients then read "not enabled"), and ListRecommendations answers
what the Advisor holds whether VDM is on or off (the scenario seeds both together).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from emulator.errors import bad_request, page_size
from emulator.identities import normalize
from emulator.state import Region

OPERATIONS = ("PutAccountVdmAttributes", "ListRecommendations")
TYPES = ("DKIM", "DMARC", "SPF", "BIMI", "COMPLAINT", "BOUNCE", "FEEDBACK_3P", "IP_LISTING")
IMPACTS = ("LOW", "HIGH")
STATUSES = ("OPEN", "FIXED")
FEATURE = ("ENABLED", "DISABLED")
MAX_PAGE = 100  # the model: "at least 1, and can be no more than 100"
# The model: one filter, or STATUS with IMPACT, or STATUS with TYPE.
_PAIRS = ({"STATUS", "IMPACT"}, {"STATUS", "TYPE"})
_FIELDS = {"TYPE": "type", "IMPACT": "impact", "STATUS": "status", "RESOURCE_ARN": "resource_arn"}


@dataclass
class Recommendation:
    resource_arn: str
    type: str
    description: str
    impact: str = "LOW"
    status: str = "OPEN"
    created_at: float = 0.0
    updated_at: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "ResourceArn": self.resource_arn,
            "Type": self.type,
            "Description": self.description,
            "Status": self.status,
            "CreatedTimestamp": self.created_at,
            "LastUpdatedTimestamp": self.updated_at,
            "Impact": self.impact,
        }


def identity_arn(reg: Region, name: str) -> str:
    return f"arn:aws:ses:{reg.name}:{reg.account_id}:identity/{normalize(name)}"


def account_json(reg: Region) -> dict[str, Any]:
    """GetAccount's VdmAttributes member ({} while VDM was never set here)."""
    return {"VdmAttributes": dict(reg.vdm)} if reg.vdm is not None else {}


def run(reg: Region, op: str, body: dict[str, Any]) -> dict[str, Any]:
    if op == "PutAccountVdmAttributes":
        reg.vdm = _attributes(body.get("VdmAttributes"))
        return {}
    return _list(reg, body)


def _feature(value: Any, what: str) -> str:
    if value not in FEATURE:
        raise bad_request(f"{what} must be ENABLED or DISABLED.")
    return str(value)


def _attributes(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or "VdmEnabled" not in raw:
        raise bad_request("VdmAttributes with VdmEnabled is required.")
    out: dict[str, Any] = {"VdmEnabled": _feature(raw["VdmEnabled"], "VdmEnabled")}
    for member, key in (
        ("DashboardAttributes", "EngagementMetrics"),
        ("GuardianAttributes", "OptimizedSharedDelivery"),
    ):
        part = raw.get(member)
        if part is None:
            continue
        if not isinstance(part, dict):
            raise bad_request(f"{member} must be an object.")
        out[member] = {key: _feature(part[key], key)} if key in part else {}
    return out


def _filter(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not 1 <= len(raw) <= 2:
        raise bad_request("Filter must map one or two filter keys to values.")
    for key, value in raw.items():
        if key not in _FIELDS:
            raise bad_request(f"Invalid filter key {key}: use {', '.join(_FIELDS)}.")
        if not isinstance(value, str) or not 1 <= len(value) <= 512:
            raise bad_request(f"Invalid value for filter {key}.")
    if len(raw) == 2 and set(raw) not in _PAIRS:
        raise bad_request("Only STATUS with IMPACT, or STATUS with TYPE, can be combined.")
    return dict(raw)


def _offset(token: Any) -> int:
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(str(token).encode()).decode())
    except Exception:
        raise bad_request("Invalid NextToken.") from None
    if offset < 0:
        raise bad_request("Invalid NextToken.")
    return offset


def _list(reg: Region, body: dict[str, Any]) -> dict[str, Any]:
    wanted = _filter(body.get("Filter"))
    size = page_size(body.get("PageSize"), low=1, high=MAX_PAGE)
    start = _offset(body.get("NextToken"))
    found = [
        r
        for r in reg.recommendations
        if all(getattr(r, _FIELDS[k]) == v for k, v in wanted.items())
    ]
    out: dict[str, Any] = {"Recommendations": [r.as_json() for r in found[start : start + size]]}
    if start + size < len(found):
        out["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return out


def configure(reg: Region, spec: Any, now: float) -> None:
    """The scenario's (and POST /_emulator/regions/...'s) `vdm` key:
    `{enabled, engagement_metrics?, recommendations: [{identity | resource_arn, type,
    impact, description, status, age_hours}]}`; `recommendations` replaces the list."""
    if not isinstance(spec, dict):
        raise ValueError("vdm must be a mapping {enabled, recommendations}")
    if "enabled" in spec:
        if spec["enabled"] is None:
            reg.vdm = None
        else:
            reg.vdm = {"VdmEnabled": "ENABLED" if spec["enabled"] else "DISABLED"}
            if "engagement_metrics" in spec:
                metrics = "ENABLED" if spec["engagement_metrics"] else "DISABLED"
                reg.vdm["DashboardAttributes"] = {"EngagementMetrics": metrics}
    if "recommendations" in spec:
        reg.recommendations = [_seeded(reg, r, now) for r in spec["recommendations"] or []]


def _seeded(reg: Region, item: Any, now: float) -> Recommendation:
    if not isinstance(item, dict):
        raise ValueError("each recommendation is a mapping")
    arn = item.get("resource_arn") or (
        identity_arn(reg, str(item["identity"])) if item.get("identity") else ""
    )
    kind = str(item.get("type", "")).upper()
    impact = str(item.get("impact", "LOW")).upper()
    status = str(item.get("status", "OPEN")).upper()
    if not arn:
        raise ValueError("a recommendation needs an identity or a resource_arn")
    for value, allowed, what in (
        (kind, TYPES, "type"),
        (impact, IMPACTS, "impact"),
        (status, STATUSES, "status"),
    ):
        if value not in allowed:
            raise ValueError(f"recommendation {what} must be one of {', '.join(allowed)}")
    created = now - float(item.get("age_hours", 0)) * 3600
    return Recommendation(
        resource_arn=str(arn),
        type=kind,
        description=str(item.get("description") or f"{kind} recommendation"),
        impact=impact,
        status=status,
        created_at=created,
        updated_at=created,
    )


def region_json(reg: Region) -> dict[str, Any]:
    """What the control API shows of a region's VDM."""
    return {
        "vdm": reg.vdm,
        "recommendations": [r.as_json() for r in reg.recommendations],
    }
