"""Route 53's wire protocol (rest-xml, API version 2013-04-01) for the emulator's Route 53.

Paths, element names and error bodies follow botocore's `route53/2013-04-01` model, so the
real boto3 client (and the AWS CLI) talk to it unchanged.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from emulator.errors import SesError
from emulator.route53 import Change, HostedZone, RecordSet, Route53, r53_error
from emulator.zones import norm

PREFIX = "/2013-04-01/"
NS = "https://route53.amazonaws.com/doc/2013-04-01/"
_ROUTES = (
    ("GET", re.compile(r"^/2013-04-01/hostedzonesbyname$"), "ListHostedZonesByName"),
    ("GET", re.compile(r"^/2013-04-01/hostedzone/([^/]+)$"), "GetHostedZone"),
    ("GET", re.compile(r"^/2013-04-01/hostedzone/([^/]+)/rrset/?$"), "ListResourceRecordSets"),
    ("POST", re.compile(r"^/2013-04-01/hostedzone/([^/]+)/rrset/?$"), "ChangeResourceRecordSets"),
    ("GET", re.compile(r"^/2013-04-01/change/([^/]+)$"), "GetChange"),
)


def route(method: str, path: str) -> tuple[str, str]:
    for verb, pattern, op in _ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return op, match.group(1) if match.groups() else ""
    raise r53_error("InvalidInput", f"The emulator's Route 53 has no {method} {path}.")


def run(
    r53: Route53, account_id: str, op: str, arg: str, query: dict[str, str], raw: bytes
) -> bytes:
    if op == "ListHostedZonesByName":
        return _list_by_name(r53, account_id, query)
    if op == "GetChange":
        return _doc("GetChangeResponse", _change_info(r53, r53.get_change(arg)))
    hz = r53.get(account_id, arg)
    if op == "GetHostedZone":
        servers = "".join(f"<NameServer>{escape(h)}</NameServer>" for h in hz.zone.nameservers)
        delegation = f"<DelegationSet><NameServers>{servers}</NameServers></DelegationSet>"
        return _doc("GetHostedZoneResponse", _zone_xml(r53, hz) + delegation)
    if op == "ListResourceRecordSets":
        return _list_rrsets(r53, hz, query)
    comment, changes = _parse_changes(raw)
    return _doc(
        "ChangeResourceRecordSetsResponse", _change_info(r53, r53.change(hz, changes, comment))
    )


def render_error(err: SesError, rid: str) -> bytes:
    kind = "Receiver" if err.status >= 500 else "Sender"
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{NS}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>"
    ).encode()


# -- answers ------------------------------------------------------------------------------
def _doc(root: str, inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{inner}</{root}>'.encode()


def _max_items(query: dict[str, str], default: int) -> int:
    try:
        return max(1, min(int(query.get("maxitems") or default), default))
    except ValueError:
        raise r53_error("InvalidInput", "MaxItems must be a number.") from None


def _zone_xml(r53: Route53, hz: HostedZone) -> str:
    count = len(r53.record_sets(hz))
    private = "true" if hz.private else "false"
    return (
        f"<HostedZone><Id>/hostedzone/{hz.id}</Id><Name>{escape(hz.name)}</Name>"
        f"<CallerReference>{escape(hz.caller_reference)}</CallerReference>"
        f"<Config><Comment>{escape(hz.comment)}</Comment><PrivateZone>{private}</PrivateZone>"
        f"</Config><ResourceRecordSetCount>{count}</ResourceRecordSetCount></HostedZone>"
    )


def _list_by_name(r53: Route53, account_id: str, query: dict[str, str]) -> bytes:
    limit = _max_items(query, 100)
    zones = r53.by_name(account_id, query.get("dnsname"))
    page, rest = zones[:limit], zones[limit:]
    inner = "<HostedZones>" + "".join(_zone_xml(r53, hz) for hz in page) + "</HostedZones>"
    if query.get("dnsname"):
        inner += f"<DNSName>{escape(query['dnsname'])}</DNSName>"
    inner += f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>"
    if rest:
        inner += f"<NextDNSName>{escape(rest[0].name)}</NextDNSName>"
        inner += f"<NextHostedZoneId>{rest[0].id}</NextHostedZoneId>"
    return _doc("ListHostedZonesByNameResponse", inner + f"<MaxItems>{limit}</MaxItems>")


def _rrset_xml(s: RecordSet) -> str:
    values = "".join(
        f"<ResourceRecord><Value>{escape(v)}</Value></ResourceRecord>" for v in s.values
    )
    return (
        f"<ResourceRecordSet><Name>{escape(s.name)}.</Name><Type>{s.rtype}</Type>"
        f"<TTL>{s.ttl}</TTL><ResourceRecords>{values}</ResourceRecords></ResourceRecordSet>"
    )


def _list_rrsets(r53: Route53, hz: HostedZone, query: dict[str, str]) -> bytes:
    limit = _max_items(query, 300)
    sets = r53.record_sets(hz)
    start_name, start_type = query.get("name"), query.get("type")
    if start_type and not start_name:
        raise r53_error("InvalidInput", "StartRecordType requires StartRecordName.")
    if start_name:
        # Route 53 starts at the first set at or after (name, type) in its order.
        key = (tuple(reversed(norm(start_name).split("."))), start_type or "")
        sets = [s for s in sets if (tuple(reversed(s.name.split("."))), s.rtype) >= key]
    page, rest = sets[:limit], sets[limit:]
    inner = "<ResourceRecordSets>" + "".join(_rrset_xml(s) for s in page)
    inner += f"</ResourceRecordSets><IsTruncated>{'true' if rest else 'false'}</IsTruncated>"
    if rest:
        inner += f"<NextRecordName>{escape(rest[0].name)}.</NextRecordName>"
        inner += f"<NextRecordType>{rest[0].rtype}</NextRecordType>"
    return _doc("ListResourceRecordSetsResponse", inner + f"<MaxItems>{limit}</MaxItems>")


def _change_info(r53: Route53, change: Change) -> str:
    at = datetime.fromtimestamp(change.submitted_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    comment = f"<Comment>{escape(change.comment)}</Comment>" if change.comment else ""
    return (
        f"<ChangeInfo><Id>/change/{change.id}</Id><Status>{r53.status(change)}</Status>"
        f"<SubmittedAt>{at}</SubmittedAt>{comment}</ChangeInfo>"
    )


# -- requests -----------------------------------------------------------------------------
def _text(node: ET.Element | None, tag: str) -> str:
    found = node.find(f"{{{NS}}}{tag}") if node is not None else None
    if found is None:
        found = node.find(tag) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _all(node: ET.Element, path: str) -> list[ET.Element]:
    qualified = "/".join(f"{{{NS}}}{p}" for p in path.split("/"))
    return node.findall(qualified) or node.findall(path)


def _parse_changes(raw: bytes) -> tuple[str, list[dict[str, Any]]]:
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise r53_error("InvalidInput", f"The request body is not XML: {exc}") from None
    batch = (_all(root, "ChangeBatch") or [None])[0]
    if batch is None:
        raise r53_error("InvalidInput", "ChangeBatch is required.")
    changes: list[dict[str, Any]] = []
    for ch in _all(batch, "Changes/Change"):
        node = (_all(ch, "ResourceRecordSet") or [None])[0]
        if node is None:
            raise r53_error("InvalidInput", "Every change needs a ResourceRecordSet.")
        if _all(node, "AliasTarget"):
            raise r53_error("InvalidInput", "The emulator's Route 53 does not do alias records.")
        ttl_text = _text(node, "TTL")
        try:
            ttl = int(ttl_text) if ttl_text else 300
        except ValueError:
            raise r53_error("InvalidInput", f"TTL {ttl_text!r} is not a number.") from None
        values = tuple(_text(rr, "Value") for rr in _all(node, "ResourceRecords/ResourceRecord"))
        rrset = RecordSet(_text(node, "Name"), _text(node, "Type").upper(), ttl, values)
        changes.append({"action": _text(ch, "Action").upper(), "rrset": rrset})
    return _text(batch, "Comment"), changes
