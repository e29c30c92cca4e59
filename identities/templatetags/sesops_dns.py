"""`{% dns_tables identity as tables %}`: the DNS records table data, so the partial works
wherever it is included (the identity page, the "check DNS now" response)."""

from __future__ import annotations

from django import template

from identities.dns.selectors import RegionDnsTable
from identities.dns.selectors import dns_tables as _dns_tables
from identities.models import Identity

register = template.Library()


@register.simple_tag
def dns_tables(identity: Identity) -> list[RegionDnsTable]:
    return _dns_tables(identity)
