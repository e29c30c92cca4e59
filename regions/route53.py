"""The Route 53 client: one per account, typed results, errors sorted permanent/transient.

Built the way regions/ses.py is: the boto3 client is made once per account (Route 53 is a
global service: one endpoint, signed for us-east-1) from the account's credentials (its
profile or assumed role, or a separate DNS profile/role when the account has one), shared by
threads, paced by the shared limiter (Route 53 allows 5 requests/s per account), counted,
and retried by botocore's `standard` mode on throttling and 5xx only. Answers are mapped to
regions/dns_types.py's dataclasses, so the planner and pages never see boto3 shapes.
`AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_ROUTE_53` point it at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from regions.aws_global import BotoCache, GlobalBoto, GlobalClient
from regions.dns_types import ChangeReceipt, HostedZone, RecordChange, RecordSet, dns_name
from regions.route53_types import TRANSIENT_CODES, Route53Error

__all__ = ["Route53Client", "Route53Error", "clear_client_cache", "route53_for"]

MAX_ATTEMPTS = 5
RATE = 5.0  # requests per second per account (Route 53's API quota)
ZONE_PAGE = 100
RRSET_PAGE = 300  # Route 53's largest page


class _DnsCredentials:
    """The account as seen for Route 53: its DNS profile / role when set, else its own."""

    def __init__(self, account) -> None:
        self.pk = account.pk
        self.account_id = account.account_id
        self.profile_name = account.dns_profile_name or account.profile_name
        self.role_arn = account.dns_role_arn or account.role_arn
        self.external_id = account.external_id


_clients = BotoCache("route53", rate=RATE, max_attempts=MAX_ATTEMPTS, error=Route53Error)


def clear_client_cache() -> None:
    _clients.clear()


def route53_for(account) -> Route53Client:
    """The Route 53 client of one account (a cheap view over a shared boto3 client). Raises a
    permanent Route53Error when the account's credentials cannot even build one."""
    return Route53Client(_clients.get(account, _DnsCredentials(account)), label=account.label)


def _parents(domain: str) -> list[str]:
    """`a.b.example.com` -> [a.b.example.com, b.example.com, example.com] (no bare TLD)."""
    labels = dns_name(domain).split(".")
    return [".".join(labels[i:]) for i in range(max(len(labels) - 1, 1))]


class Route53Client(GlobalClient):
    """Route 53 for one account; implements regions.dns_types.DnsWriter."""

    transient_codes = TRANSIENT_CODES
    error = Route53Error

    def __init__(self, boto: GlobalBoto, *, label: str = "") -> None:
        super().__init__(boto)
        self.label = label

    # --- zones ----------------------------------------------------------------------
    def find_zones(self, domain: str) -> list[HostedZone]:
        """Public hosted zones named `domain` or a parent of it, longest name first, with
        their Route 53 nameservers. Private zones never serve the public DNS: skipped."""
        found: list[HostedZone] = []
        for name in _parents(domain):
            for item in self._zones_named(name):
                if (item.get("Config") or {}).get("PrivateZone"):
                    continue
                found.append(self.describe(item["Id"]))
        return found

    def _zones_named(self, name: str) -> list[dict]:
        """ListHostedZonesByName from `name`: the zones with exactly that name (the answer
        runs on to the names after it in Route 53's order; it stops at the first other)."""
        out: list[dict] = []
        params: dict[str, object] = {"DNSName": name, "MaxItems": str(ZONE_PAGE)}
        while True:
            page = self._call("list_hosted_zones_by_name", **params)
            for item in page.get("HostedZones") or []:
                if dns_name(item.get("Name", "")) != name:
                    return out
                out.append(item)
            if not page.get("IsTruncated"):
                return out
            params["DNSName"] = page.get("NextDNSName") or name
            params["HostedZoneId"] = page.get("NextHostedZoneId") or ""

    def describe(self, zone_id: str) -> HostedZone:
        data = self._call("get_hosted_zone", Id=zone_id)
        zone = data.get("HostedZone") or {}
        servers = (data.get("DelegationSet") or {}).get("NameServers") or ()
        return HostedZone(
            id=str(zone.get("Id", zone_id)).rsplit("/", 1)[-1],
            name=dns_name(zone.get("Name", "")),
            private=bool((zone.get("Config") or {}).get("PrivateZone")),
            nameservers=tuple(sorted(dns_name(s) for s in servers)),
            account=self.label,
        )

    # --- record sets ----------------------------------------------------------------
    def record_sets(self, zone: HostedZone, names: Iterable[str]) -> list[RecordSet]:
        """The record sets at each name. A zone of up to RRSET_PAGE sets is read whole in one
        call; a bigger one by one ListResourceRecordSets from each name (Route 53 lists a
        name's sets together, in order), never page by page through thousands."""
        wanted = {dns_name(n) for n in names}
        first = self._call(
            "list_resource_record_sets", HostedZoneId=zone.id, MaxItems=str(RRSET_PAGE)
        )
        if not first.get("IsTruncated"):
            return _keep(first.get("ResourceRecordSets") or [], wanted)
        out: list[RecordSet] = []
        for name in sorted(wanted):
            params: dict[str, object] = {
                "HostedZoneId": zone.id,
                "StartRecordName": name,
                "MaxItems": str(RRSET_PAGE),
            }
            while True:
                page = self._call("list_resource_record_sets", **params)
                sets = page.get("ResourceRecordSets") or []
                here = _keep(sets, {name})
                out += here
                more = page.get("IsTruncated") and dns_name(page.get("NextRecordName", "")) == name
                if len(here) < len(sets) or not more:
                    break
                params["StartRecordName"] = page["NextRecordName"]
                params["StartRecordType"] = page["NextRecordType"]
        return out

    def apply(
        self, zone: HostedZone, changes: Sequence[RecordChange], *, comment: str = ""
    ) -> ChangeReceipt:
        """One ChangeResourceRecordSets: Route 53 applies all the changes or none."""
        batch: dict[str, object] = {"Changes": [_change(c) for c in changes]}
        if comment:
            batch["Comment"] = comment[:256]
        data = self._call("change_resource_record_sets", HostedZoneId=zone.id, ChangeBatch=batch)
        return _receipt(data)

    def change_status(self, change_id: str) -> ChangeReceipt:
        return _receipt(self._call("get_change", Id=change_id))


def _keep(items: list[dict], names: set[str]) -> list[RecordSet]:
    """The answer's record sets at `names` (alias records hold no values: left out)."""
    sets = [_record_set(item) for item in items if "AliasTarget" not in item]
    return [s for s in sets if s.name in names]


def _record_set(item: dict) -> RecordSet:
    return RecordSet(
        name=dns_name(_unescape(item.get("Name", ""))),
        rtype=str(item.get("Type", "")).upper(),
        ttl=int(item.get("TTL") or 0),
        values=tuple(str(r.get("Value", "")) for r in item.get("ResourceRecords") or ()),
    )


def _unescape(name: str) -> str:
    # Route 53 answers names with special characters octal-escaped (`*` as `\052`).
    return name.replace("\\052", "*")


def _change(change: RecordChange) -> dict:
    rs = change.record_set
    return {
        "Action": change.action,
        "ResourceRecordSet": {
            "Name": rs.name + ".",
            "Type": rs.rtype,
            "TTL": rs.ttl,
            "ResourceRecords": [{"Value": v} for v in rs.values],
        },
    }


def _receipt(data: dict) -> ChangeReceipt:
    info = data.get("ChangeInfo") or {}
    return ChangeReceipt(
        id=str(info.get("Id", "")).rsplit("/", 1)[-1],
        status=str(info.get("Status", "")),
        submitted_at=info.get("SubmittedAt"),
    )
