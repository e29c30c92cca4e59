"""Reads for the identity page's DNS records table and the zone-file download."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from identities.dns.expected import BYODKIM, PURPOSE_ORDER, ExpectedRecord
from identities.dns.soa import SesLook, look_of
from identities.dns.zonefile import zone_file
from identities.models import PROBLEM_VERDICTS, DnsCheck, Identity, RegionalIdentity
from identities.selectors.detail import deed_parent_of, records_for

# verdict -> (badge class, icon, label); warnings get a softer badge when not ok.
_BADGES = {
    "ok": ("badge-ok", "✓", "OK"),
    "missing": ("badge-blocked", "✕", "Missing"),
    "wrong_value": ("badge-blocked", "≠", "Wrong value"),
    "wrong_type": ("badge-blocked", "≠", "Wrong type"),
    "partial": ("badge-warn", "◐", "Some nameservers only"),
    "unknown": ("badge-absent", "?", "Unknown (no answer)"),
}
TO_PUBLISH = frozenset(PROBLEM_VERDICTS)
_PURPOSE_LABEL = {
    "dkim": "Easy DKIM",
    "byodkim": "BYODKIM key",
    "verification": "Domain verification (legacy)",
    "mail_from_mx": "MAIL FROM MX",
    "mail_from_spf": "MAIL FROM SPF",
    "dmarc": "DMARC",
}


@dataclass(frozen=True)
class ServerAnswer:
    host: str
    address: str
    text: str  # what it served, e.g. "CNAME x.dkim.amazonses.com" or "NXDOMAIN"
    ttl: int | None
    delegated: bool
    notes: tuple[str, ...] = ()


@dataclass
class CheckRow:
    check: DnsCheck
    purpose_label: str
    badge: tuple[str, str, str]
    answers: list[ServerAnswer]
    diagnosis: list[str]


def shared_diagnoses(diagnoses: list[str]) -> dict[str, int]:
    """Diagnoses that several records of one region share, with how many: shown once for the
    region (they name one cause), not under every record."""
    counts = Counter(d for d in diagnoses if d)
    return {d: n for d, n in counts.items() if n > 1}


@dataclass
class RegionDnsTable:
    ri: RegionalIdentity
    rows: list[CheckRow] = field(default_factory=list)
    checked_at: datetime | None = None
    shared: dict[str, int] = field(default_factory=dict)  # diagnosis -> records it explains
    zone_file: str = ""
    to_publish: int = 0


def _server_answer(host: str, data: dict) -> ServerAnswer:
    status, values = data.get("status", ""), data.get("values") or []
    if status == "ok":
        text = f"{data.get('rtype', '')} {' | '.join(values)}".strip()
    else:
        text = status.upper() if status in ("nxdomain", "nodata") else status
    notes = [f"also {a['rtype']}: {' | '.join(a['values'])}" for a in data.get("also", [])]
    if data.get("strings"):
        notes.append(f"strings per record: {[len(s) for s in data['strings']]}")
    if data.get("followed"):
        followed = data["followed"]
        notes.append(f"its target serves {followed['rtype']}: {' | '.join(followed['values'])}")
    if data.get("doubled"):
        notes.append(f"found at {data['doubled']['name']}")
    if data.get("tcp"):
        notes.append("answer came over TCP (too large for UDP)")
    if data.get("detail"):
        notes.append(data["detail"])
    return ServerAnswer(
        host,
        data.get("address", ""),
        text,
        data.get("ttl"),
        data.get("delegated", True),
        tuple(notes),
    )


def _row(check: DnsCheck, *, shown_once: bool = False) -> CheckRow:
    cls, icon, label = _BADGES.get(check.verdict, _BADGES["unknown"])
    if check.severity == DnsCheck.Severity.WARNING and check.verdict != "ok":
        # A recommended record is a warning: amber "!", never the red "✕" of a blocker.
        cls, icon, label = "badge-warn", "!", f"{label} (recommended)"
    answers = [_server_answer(h, d) for h, d in sorted((check.answers or {}).items())]
    return CheckRow(
        check,
        _PURPOSE_LABEL.get(check.purpose, check.purpose),
        (cls, icon, label),
        answers,
        [] if shown_once else [line for line in check.diagnosis.splitlines() if line],
    )


def _order(check: DnsCheck) -> tuple[int, str]:
    rank = PURPOSE_ORDER.index(check.purpose) if check.purpose in PURPOSE_ORDER else 99
    return rank, check.name


def zone_file_for(checks: list[DnsCheck], header: str) -> str:
    """BIND lines for every record still to publish (deduplicated: DEED replicas share them)."""
    records, seen = [], set()
    for c in sorted(checks, key=_order):
        key = (c.name, c.rtype, c.expected)
        if c.verdict in TO_PUBLISH and key not in seen:
            seen.add(key)
            records.append(key)
    notes = [header]
    if any(c.purpose == BYODKIM for c in checks if c.verdict in TO_PUBLISH):
        notes.append("BYODKIM: replace the p= placeholder with your public key (base64).")
    return zone_file(records, "\n".join(notes))


def dns_tables(identity: Identity) -> list[RegionDnsTable]:
    """One table per region where the domain exists, in region order. Two queries."""
    if identity.is_email:
        return []
    ris = list(
        RegionalIdentity.objects.filter(identity=identity, present=True)
        .select_related("region__account", "identity")
        .prefetch_related("dns_checks")
        .order_by("region__code")
    )
    tables = []
    for ri in ris:
        checks = sorted(ri.dns_checks.all(), key=_order)
        shared = shared_diagnoses([c.diagnosis for c in checks])
        rows = [_row(c, shown_once=c.diagnosis in shared) for c in checks]
        table = RegionDnsTable(ri, rows, shared=shared)
        table.checked_at = max((c.checked_at for c in checks), default=None)
        table.to_publish = sum(c.verdict in TO_PUBLISH for c in checks)
        header = f"Records SES still needs for {identity.name} in {ri.region.code}"
        table.zone_file = zone_file_for(checks, header)
        tables.append(table)
    return tables


def zone_file_download(identity: Identity, region_id: int | None = None) -> str:
    checks = DnsCheck.objects.filter(regional_identity__identity=identity)
    where = "every region"
    if region_id is not None:
        checks = checks.filter(regional_identity__region_id=region_id)
        ri = RegionalIdentity.objects.filter(identity=identity, region_id=region_id).first()
        where = ri.region.code if ri else f"region {region_id}"
    header = f"Records SES still needs for {identity.name} ({where})"
    return zone_file_for(list(checks), header)


@dataclass
class DnsSection:
    table: RegionDnsTable
    records: list[ExpectedRecord] = field(default_factory=list)  # only when not checked yet
    records_error: str = ""

    @property
    def ri(self) -> RegionalIdentity:
        return self.table.ri

    @property
    def rows(self) -> list[CheckRow]:
        return self.table.rows

    @property
    def checked(self) -> bool:
        return bool(self.table.rows)

    @property
    def deed_parent(self) -> str:
        return deed_parent_of(self.table.ri.dkim_origin)

    @property
    def ses_look(self) -> SesLook:
        return look_of(self.table.ri)


def dns_sections(identity: Identity) -> list[DnsSection]:
    """The identity page's DNS card: one section per region where the domain exists, the
    nameserver table once the region has been probed, else the records SES expects (so the
    card never shows both). Two queries."""
    sections = []
    for table in dns_tables(identity):
        section = DnsSection(table)
        if not table.rows:
            section.records, section.records_error = records_for(identity, table.ri)
        sections.append(section)
    return sections
