"""`{% dns_tables identity as tables %}`: the DNS records card's data, so the partial works
wherever it is included (the identity page, the "check DNS now" response).

One section per region where the domain exists: the nameserver table once the region has been
probed, otherwise the plain list of records SES expects (so the page never shows both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from identities.dns.expected import ExpectedRecord
from identities.dns.selectors import CheckRow, RegionDnsTable
from identities.dns.selectors import dns_tables as _dns_tables
from identities.models import Identity, RegionalIdentity
from identities.selectors.detail import deed_parent_of, records_for

register = template.Library()


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


@register.simple_tag
def dns_tables(identity: Identity) -> list[DnsSection]:
    sections = []
    for table in _dns_tables(identity):
        section = DnsSection(table)
        if not table.rows:
            section.records, section.records_error = records_for(identity, table.ri)
        sections.append(section)
    return sections
