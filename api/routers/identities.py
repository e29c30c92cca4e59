"""GET /api/v1/identities (the grid, by cursor) and /api/v1/identities/{id} (the detail)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from api import auth
from api.schemas import (
    NO_NUL,
    DnsRecordOut,
    Error,
    IdentityDetailOut,
    IdentityOut,
    IdentityPage,
    NameserverAnswer,
    RegionDnsOut,
    ValidationErrorOut,
)
from api.selectors import identity_page
from identities.dns.selectors import RegionDnsTable, dns_tables
from identities.models import Identity
from identities.selectors.detail import identity_detail
from identities.selectors.grid import GridFilters
from identities.selectors.report import cell_state

router = Router(tags=["identities"])

MAX_ID = 2**63 - 1  # PostgreSQL bigint: a larger id would be a database error, not a 404
READ_ERRORS = {401: Error, 403: Error, 422: ValidationErrorOut}


@router.get("/identities", response={200: IdentityPage, 400: Error, **READ_ERRORS})
def list_identities(
    request: HttpRequest,
    search: str = Query("", max_length=320, pattern=NO_NUL, description="Part of the name"),
    kind: Literal["", "email", "domain"] = "",
    account: str = Query("", max_length=64, pattern=NO_NUL, description="Account label"),
    region: str = Query("", max_length=32, pattern=NO_NUL, description="Region code"),
    blocked: bool = Query(False, description="Only identities blocked in a shown region"),
    cursor: str | None = Query(None, max_length=2000, pattern=NO_NUL),
    limit: int = Query(50, ge=1, le=200),
) -> IdentityPage:
    """Identities with their state and blockers in each region of their account (the grid)."""
    auth.can_read(request)
    filters = GridFilters.from_params(
        {
            "q": search,
            "kind": kind,
            "account": account,
            "region": region,
            "blocking": "1" if blocked else "",
        }
    )
    page = identity_page(filters, after=cursor, limit=limit)
    return IdentityPage(
        count=page.count,
        blocked=page.blocked,
        next_cursor=page.next_cursor,
        results=[
            IdentityOut(
                id=identity.pk,
                account=identity.account.label,
                name=identity.name,
                kind=identity.kind,
                domain=identity.domain,
                blocked=any(c.status == "blocked" for c in cells),
                regions=[cell_state(c) for c in cells],
            )
            for identity, cells in page.rows
        ],
    )


def _dns_out(table: RegionDnsTable) -> RegionDnsOut:
    return RegionDnsOut(
        region=table.ri.region.code,
        checked_at=table.checked_at,
        to_publish=table.to_publish,
        zone_file=table.zone_file,
        records=[
            DnsRecordOut(
                purpose=row.check.purpose,
                name=row.check.name,
                rtype=row.check.rtype,
                expected=row.check.expected,
                severity=row.check.severity,
                verdict=row.check.verdict,
                diagnosis=row.diagnosis,
                checked_at=row.check.checked_at,
                answers=[
                    NameserverAnswer(
                        host=a.host,
                        address=a.address,
                        served=a.text,
                        ttl=a.ttl,
                        delegated=a.delegated,
                        notes=list(a.notes),
                    )
                    for a in row.answers
                ],
            )
            for row in table.rows
        ],
    )


@router.get(
    "/identities/{identity_id}", response={200: IdentityDetailOut, 404: Error, **READ_ERRORS}
)
def get_identity(
    request: HttpRequest, identity_id: int = Path(..., ge=1, le=MAX_ID)
) -> IdentityDetailOut:
    """One identity: its state in every region of its account, its DNS records and what each
    authoritative nameserver served for them."""
    auth.can_read(request)
    identity = get_object_or_404(Identity.objects.select_related("account"), pk=identity_id)
    detail = identity_detail(identity)
    return IdentityDetailOut(
        id=identity.pk,
        account=identity.account.label,
        name=identity.name,
        kind=identity.kind,
        domain=identity.domain,
        regions=[cell_state(r.cell) for r in detail.regions],
        dns=[_dns_out(t) for t in dns_tables(identity)],
    )
