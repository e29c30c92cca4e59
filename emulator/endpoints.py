"""SES v2 multi-region (global) endpoints, as AWS answers them (botocore's sesv2 model).

An endpoint lives in its primary region, the region CreateMultiRegionEndpoint was called in;
Get/List/Delete see it only there. `Details.RoutesDetails` names exactly one secondary
region. A new endpoint is CREATING for `Settings.endpoint_ready_seconds`, then READY; a
deleted one answers DELETING and is gone from the next read. A scenario can pin a status
(FAILED, CREATING...) that then stays.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from emulator.errors import SesError, bad_request, not_found, page_size
from emulator.state import Region, State

NAME = re.compile(r"^[\w\-_]+$", re.ASCII)
STATUSES = ("CREATING", "READY", "FAILED", "DELETING")


@dataclass
class Endpoint:
    name: str
    endpoint_id: str
    primary: str
    secondary: str
    created_at: float
    updated_at: float
    pinned: str | None = None  # a status set by a scenario: kept as is
    tags: list[dict[str, str]] = field(default_factory=list)


@cache
def ses_regions() -> frozenset[str]:
    import botocore.session

    session = botocore.session.get_session()
    return frozenset(session.get_available_regions("sesv2"))


def status(st: State, ep: Endpoint) -> str:
    if ep.pinned:
        return ep.pinned
    ready_at = ep.created_at + st.settings.endpoint_ready_seconds
    return "READY" if st.now() >= ready_at else "CREATING"


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise bad_request("EndpointName is required.")
    if len(name) > 64 or not NAME.match(name):
        raise bad_request(
            f"Invalid EndpointName <{name}>: 1 to 64 letters, digits, '-' or '_' (^[\\w\\-_]+$)."
        )
    return name


def _secondary(reg: Region, details: Any) -> str:
    routes = details.get("RoutesDetails") if isinstance(details, dict) else None
    if not isinstance(routes, list) or len(routes) != 1 or not isinstance(routes[0], dict):
        raise bad_request("Details.RoutesDetails must contain exactly one route configuration.")
    region = routes[0].get("Region")
    if not isinstance(region, str) or not region:
        raise bad_request("Details.RoutesDetails[0].Region is required.")
    if region == reg.name:
        raise bad_request(
            f"The secondary region {region} must differ from the primary region {reg.name}."
        )
    if region not in ses_regions():
        raise bad_request(f"{region} is not a region where SES offers global endpoints.")
    return region


def _tags(tags: Any) -> list[dict[str, str]]:
    if tags is None:
        return []
    ok = isinstance(tags, list) and all(
        isinstance(t, dict) and isinstance(t.get("Key"), str) and isinstance(t.get("Value"), str)
        for t in tags
    )
    if not ok:
        raise bad_request("Tags must be a list of {Key, Value} strings.")
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags]


def create(st: State, reg: Region, body: dict[str, Any], *, pinned: str | None = None) -> Endpoint:
    name = check_name(body.get("EndpointName"))
    secondary = _secondary(reg, body.get("Details"))
    tags = _tags(body.get("Tags"))
    if name in reg.endpoints:
        raise SesError("AlreadyExistsException", f"Multi-region endpoint <{name}> already exists.")
    now = st.now()
    ep = Endpoint(
        name=name,
        endpoint_id=f"{secrets.token_hex(4)}.{secrets.token_hex(2)}",
        primary=reg.name,
        secondary=secondary,
        created_at=now,
        updated_at=now,
        pinned=pinned,
        tags=tags,
    )
    reg.endpoints[name] = ep
    return ep


def get(reg: Region, name: str) -> Endpoint:
    ep = reg.endpoints.get(check_name(name))
    if ep is None:
        raise not_found(f"Multi-region endpoint <{name}> does not exist.")
    return ep


def get_json(st: State, ep: Endpoint) -> dict[str, Any]:
    return {
        "EndpointName": ep.name,
        "EndpointId": ep.endpoint_id,
        "Routes": [{"Region": ep.primary}, {"Region": ep.secondary}],
        "Status": status(st, ep),
        "CreatedTimestamp": ep.created_at,
        "LastUpdatedTimestamp": ep.updated_at,
    }


def _after(token: Any) -> str | None:
    if not token:
        return None
    try:
        return base64.b64decode(str(token).encode(), validate=True).decode()
    except Exception:
        raise bad_request("Invalid NextToken.") from None


def list_json(st: State, reg: Region, query: dict[str, str]) -> dict[str, Any]:
    size = page_size(query.get("PageSize"), low=1)  # the model: 1 to 1000
    after = _after(query.get("NextToken"))
    names = sorted(n for n in reg.endpoints if after is None or n > after)
    page = names[:size]
    items = [
        {
            "EndpointName": ep.name,
            "Status": status(st, ep),
            "EndpointId": ep.endpoint_id,
            "Regions": [ep.primary, ep.secondary],
            "CreatedTimestamp": ep.created_at,
            "LastUpdatedTimestamp": ep.updated_at,
        }
        for ep in (reg.endpoints[n] for n in page)
    ]
    out: dict[str, Any] = {"MultiRegionEndpoints": items}
    if len(names) > size:
        # The model's NextTokenV2 is standard base64 (its pattern has + and /).
        out["NextToken"] = base64.b64encode(page[-1].encode()).decode()
    return out


def delete(reg: Region, name: str) -> dict[str, Any]:
    get(reg, name)
    del reg.endpoints[name]
    return {"Status": "DELETING"}


def run(st: State, reg: Region, op: str, params: dict[str, str], query: dict[str, str], body):
    """One of the four operations; None when `op` is not one of them."""
    if op == "CreateMultiRegionEndpoint":
        ep = create(st, reg, body)
        return {"Status": status(st, ep), "EndpointId": ep.endpoint_id}
    if op == "GetMultiRegionEndpoint":
        return get_json(st, get(reg, params["name"]))
    if op == "ListMultiRegionEndpoints":
        return list_json(st, reg, query)
    if op == "DeleteMultiRegionEndpoint":
        return delete(reg, params["name"])
    return None


_MREP = r"/v2/email/multi-region-endpoints"
ROUTES = [
    ("POST", re.compile(f"^{_MREP}$"), "CreateMultiRegionEndpoint"),
    ("GET", re.compile(f"^{_MREP}$"), "ListMultiRegionEndpoints"),
    ("GET", re.compile(f"^{_MREP}/(?P<name>[^/]+)$"), "GetMultiRegionEndpoint"),
    ("DELETE", re.compile(f"^{_MREP}/(?P<name>[^/]+)$"), "DeleteMultiRegionEndpoint"),
]
