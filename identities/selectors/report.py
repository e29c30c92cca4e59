"""Rows of `manage.py ses_report`: one dict per regional identity, plain data for JSON/table."""

from __future__ import annotations

from collections.abc import Sequence

from identities.blockers.engine import cell_status
from identities.blockers.states import blockers_for_regionals
from identities.models import ENGINE_FIELDS, RegionalIdentity

# The report's (stable, scripted-against) names for the state fields that differ from the model's.
_REPORT_NAMES = {
    "verification_status": "verification",
    "dkim_status": "dkim",
    "mail_from_status": "mail_from",
}


def report_queryset(*, account: str | None = None, regions: Sequence[str] = ()):
    rows = RegionalIdentity.objects.filter(present=True, region__account__is_active=True)
    if account:
        rows = rows.filter(region__account__label=account)
    if regions:
        rows = rows.filter(region__code__in=list(regions))
    return rows.select_related("identity", "region", "region__account").order_by(
        "identity__name", "region__account__label", "region__code"
    )


def row_for(ri: RegionalIdentity) -> dict:
    region = ri.region
    return {
        "account": region.account.label,
        "region": region.code,
        "identity": ri.identity.name,
        "kind": ri.identity.kind,
        "statuses": {
            _REPORT_NAMES.get(f, f): getattr(ri, f) for f in ENGINE_FIELDS if f != "present"
        },
        "sandbox": region.in_sandbox,
        "synced_at": ri.synced_at.isoformat() if ri.synced_at else None,
    }


def report_rows(
    *, account: str | None = None, regions: Sequence[str] = (), blocking_only: bool = False
) -> list[dict]:
    """Every present regional identity (optionally one account / some regions), as dicts,
    with its blockers (identities.blockers.engine); `blocking_only` keeps the rows that cannot
    send."""
    ris = list(report_queryset(account=account, regions=regions))
    blockers = blockers_for_regionals(ris)  # fixed query count, whatever the number of rows
    rows = []
    for ri in ris:
        found = blockers.get(ri.pk, [])
        if blocking_only and not any(b.blocking for b in found):
            continue
        row = row_for(ri)
        row["status"] = cell_status(found)
        row["blockers"] = [
            {"code": b.code, "severity": b.severity, "message": b.message, "remedy": b.remedy,
             "action": b.action}
            for b in found
        ]  # fmt: skip
        rows.append(row)
    return rows
