"""Bulk data for the dashboard benchmark: N identities x R regions in one AWS account.

On PostgreSQL rows go in with COPY (10,000 x 20 = 200,000 regional identities plus their
DNS checks in seconds); elsewhere (SQLite in a developer's test run) with bulk_create.
Rows are built from the models' own fields and defaults, so a field added later gets its
default without touching this file.

The mix (deterministic, see benchmarks/world.identity_specs): 1 in 10 identities is a
domain; most are verified; some addresses pending or failed; 2 regions of 20 are still in
the sandbox; about 2% of identity x region cells are absent (never created there) and
1% gone (deleted from SES since), and 1 cell in 400 of a verified identity is pending
(just added to that region): about 1 identity in 10 is blocked somewhere. Domains carry
their DNS checks as the probe writes them (3 DKIM CNAMEs, the `_amazonses` TXT, DMARC, MAIL
FROM MX and SPF for half of them; two nameservers' answers), failing ones `missing`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from benchmarks import world

SANDBOX_EVERY = 10  # regions 3 and 13 (of 20) are in the sandbox
ABSENT_EVERY, GONE_EVERY = 50, 97
PENDING_CELL_EVERY = 400  # a verified identity pending in one region (just added there)


def _tables() -> list[Any]:
    from django.apps import apps

    return [
        m
        for label in ("regions", "identities")
        for m in apps.get_app_config(label).get_models()
        if m._meta.managed
    ]


def wipe() -> None:
    """Empty every sesops table (accounts, regions, identities, checks, events, runs)."""
    from django.db import connection

    models = _tables()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
            # Inside a transaction (a test's), deferred foreign-key checks of earlier inserts
            # would block TRUNCATE: run them now, then defer again.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            return
    # Children first, so foreign keys hold at every step.
    from identities.models import DnsCheck, Identity, RegionalIdentity
    from regions.models import AwsAccount, Event, ProductionAccessRequest, Region, SyncRun

    for model in (
        DnsCheck,
        RegionalIdentity,
        Identity,
        Event,
        SyncRun,
        ProductionAccessRequest,
        Region,
        AwsAccount,
    ):
        model.objects.all().delete()


def insert_rows(model: Any, rows: Iterable[dict[str, Any]], *, batch_size: int = 2000) -> int:
    """Insert plain dicts (attname -> value; missing fields take their default) fast."""
    from django.db import connection
    from django.db.models import JSONField

    fields = [f for f in model._meta.concrete_fields]
    defaults = {f.attname: f.get_default() for f in fields if f.has_default() or f.null or f.blank}
    count = 0
    if connection.vendor != "postgresql":
        batch: list[Any] = []
        for row in rows:
            batch.append(model(**{**defaults, **row}))
            if len(batch) >= batch_size:
                model.objects.bulk_create(batch, batch_size=batch_size)
                count += len(batch)
                batch = []
        model.objects.bulk_create(batch, batch_size=batch_size)
        return count + len(batch)

    from psycopg.types.json import Jsonb

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # Columns: every field the rows give, plus the defaulted ones (the pk only if given).
    names = [
        f.attname
        for f in fields
        if f.attname in first or (f.attname in defaults and not f.primary_key)
    ]
    by_name = {f.attname: f for f in fields}
    json_names = {n for n in names if isinstance(by_name[n], JSONField)}
    columns = ", ".join(connection.ops.quote_name(by_name[n].column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in _chain(first, rows):
            values = []
            for n in names:
                v = row[n] if n in row else defaults[n]
                values.append(Jsonb(v) if n in json_names else v)
            copy.write_row(values)
            count += 1
    return count


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cur.execute(sql)


def _tokens(name: str, code: str) -> list[str]:
    digest = hashlib.sha256(f"{name}/{code}".encode()).hexdigest()
    return [digest[i : i + 32] for i in (0, 16, 32)]


@dataclass
class Dataset:
    n: int
    regions: int
    identities: int
    regional: int
    dns_checks: int
    events: int
    seconds: float
    account_id: int
    some_identity_id: int  # an identity with a blocked cell, for the identity page
    flags_seconds: float = 0.0  # computing every row's blocking flag at once (a backfill)


def generate(n: int, n_regions: int = 20) -> Dataset:
    """Wipe the sesops tables and load N identities x n_regions regions."""
    from django.db import connection, transaction
    from django.utils import timezone

    from identities.blockers.flags import refresh_unknown
    from identities.models import DnsCheck, Identity, RegionalIdentity
    from regions.models import AwsAccount, Event, SyncRun

    started = time.monotonic()
    now = timezone.now()
    codes = world.regions(n_regions)
    specs = world.identity_specs(n)
    with transaction.atomic():
        wipe()
        account = AwsAccount.objects.create(label="bench-grid", account_id="123456789012")
        regions = _regions(account, codes, now)
        insert_rows(Identity, _identity_rows(specs, account.pk, now))
        regional, checks = _regional_rows(specs, regions, now)
        n_regional = insert_rows(RegionalIdentity, regional)
        n_checks = insert_rows(DnsCheck, checks(n_regional))
        n_events = insert_rows(Event, _events(specs, regions, now))
        insert_rows(SyncRun, _sync_runs(regions, n, now))
        reset_sequences([Identity, RegionalIdentity, DnsCheck, Event, SyncRun])
    # The sync computes each row's blocking flag as it writes it; rows loaded in bulk get
    # theirs the way rows from before the flag existed do (identities.blockers.flags).
    flags_started = time.monotonic()
    refresh_unknown()
    flags_seconds = time.monotonic() - flags_started
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # As autovacuum leaves a table after bulk inserts: planner statistics and the
            # visibility map (index-only scans). VACUUM cannot run in a test's transaction.
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    blocked = next(i for i, s in enumerate(specs) if s.kind == "DOMAIN" and s.status != "SUCCESS")
    return Dataset(
        n,
        len(regions),
        len(specs),
        n_regional,
        n_checks,
        n_events,
        time.monotonic() - started,
        account.pk,
        blocked + 1,
        flags_seconds,
    )


def _regions(account: Any, codes: list[str], now: Any) -> list[Any]:
    """The account's regions, every SANDBOX_EVERY-th in the sandbox, all freshly synced."""
    from django.db import connection

    from regions.models import Region

    regions = Region.objects.bulk_create(
        [
            Region(
                account=account,
                code=code,
                production_access_enabled=(r % SANDBOX_EVERY != 3),
                sending_enabled=True,
                enforcement_status="HEALTHY",
                max_24_hour_send=50000.0 if r % SANDBOX_EVERY != 3 else 200.0,
                max_send_rate=14.0 if r % SANDBOX_EVERY != 3 else 1.0,
                sent_last_24_hours=float(r * 10),
                account_synced_at=now,
                last_sync_started_at=now,
                last_sync_finished_at=now,
                last_success_at=now,
                changed_at=now - timedelta(hours=1),
            )
            for r, code in enumerate(codes)
        ]
    )
    if connection.vendor != "postgresql" or not all(reg.pk for reg in regions):
        regions = list(Region.objects.filter(account=account).order_by("pk"))
    return regions


def _identity_rows(specs: list[world.Spec], account_id: int, now: Any) -> Iterator[dict[str, Any]]:
    for i, s in enumerate(specs):
        yield {
            "id": i + 1,
            "account_id": account_id,
            "name": s.name,
            "kind": s.kind,
            "domain": s.name.rsplit("@", 1)[-1],
            "created_at": now - timedelta(days=30),
        }


def _sync_runs(regions: list[Any], n: int, now: Any) -> Iterator[dict[str, Any]]:
    for reg in regions:
        yield {
            "region_id": reg.pk,
            "status": "succeeded",
            "trigger": "beat",
            "started_at": now - timedelta(seconds=30),
            "finished_at": now,
            "identities": n,
            "calls": 15,
        }


def _regional_rows(specs: list[world.Spec], regions: list[Any], now: Any) -> tuple[Any, Any]:
    """RegionalIdentity rows (ids 1..) and, lazily, the DnsCheck rows that point at them."""
    domain_rows: list[tuple[int, world.Spec, str, str]] = []

    def regional() -> Iterator[dict[str, Any]]:
        rid = 0
        for i, s in enumerate(specs):
            for r, reg in enumerate(regions):
                if (i * 31 + r * 7) % ABSENT_EVERY == 0:
                    continue  # never created in this region
                rid += 1
                present = (i + r) % GONE_EVERY != 0
                status = s.status
                if s.status == "SUCCESS" and (i * 7 + r * 13) % PENDING_CELL_EVERY == 0:
                    status = "PENDING"  # freshly added to this region
                if s.kind == "DOMAIN" and present:
                    domain_rows.append((rid, s, reg.code, status))
                yield _regional_row(rid, i + 1, s, reg, status, present, now)

    def checks(_: int) -> Iterator[dict[str, Any]]:
        # Called after regional() ran to the end, so domain_rows is complete.
        for rid, s, code, status in domain_rows:
            yield from _domain_checks(rid, s, code, "ok" if status == "SUCCESS" else "missing", now)

    return regional(), checks


def _regional_row(
    rid: int, identity_id: int, s: world.Spec, reg: Any, status: str, present: bool, now: Any
) -> dict[str, Any]:
    ok = status == "SUCCESS"
    row: dict[str, Any] = {
        "id": rid,
        "identity_id": identity_id,
        "region_id": reg.pk,
        "present": present,
        "gone_at": None if present else now - timedelta(days=1),
        "verification_status": status,
        "verified_for_sending": ok,
        "sending_enabled": True,
        "verification_error_type": "" if ok or s.kind != "DOMAIN" else "HOST_NOT_FOUND",
        "verification_last_checked_at": now - timedelta(minutes=5),
        "verification_last_success_at": now - timedelta(days=2) if ok else None,
        "first_seen_at": now - timedelta(days=30),
        "synced_at": now - timedelta(minutes=1),
        "details_synced_at": now - timedelta(days=1),
        "changed_at": now - timedelta(hours=2),
    }
    if s.kind != "DOMAIN":
        row.update({"dkim_signing_enabled": False, "dkim_status": "NOT_STARTED"})
        return row
    row.update(
        {
            "verification_token": hashlib.md5(s.name.encode()).hexdigest(),
            "dkim_signing_enabled": True,
            "dkim_status": status,
            "dkim_tokens": _tokens(s.name, reg.code),
            "dkim_origin": "AWS_SES",
            "dkim_signing_zone": "dkim.amazonses.com",
        }
    )
    if s.mail_from:
        row.update(
            {
                "mail_from_domain": f"mail.{s.name}",
                "mail_from_status": "SUCCESS",
                "mail_from_behavior": "USE_DEFAULT_VALUE",
            }
        )
    return row


def _domain_checks(
    rid: int, s: world.Spec, code: str, verdict: str, now: Any
) -> Iterator[dict[str, Any]]:
    """The DnsCheck rows of one domain's regional row: DKIM, _amazonses, DMARC, MAIL FROM."""
    answers = {
        f"ns{k}.example.net": {
            "address": f"192.0.2.{k}",
            "status": "NOERROR" if verdict == "ok" else "NXDOMAIN",
            "rtype": "CNAME",
            "values": [],
            "ttl": 300,
        }
        for k in (1, 2)
    }
    base = {
        "regional_identity_id": rid,
        "checked_at": now - timedelta(minutes=10),
        "changed_at": now - timedelta(days=1),
        "answers": answers,
    }
    for t in _tokens(s.name, code):
        yield {
            **base,
            "purpose": "dkim",
            "name": f"{t}._domainkey.{s.name}",
            "rtype": "CNAME",
            "expected": f"{t}.dkim.amazonses.com",
            "severity": "blocking",
            "verdict": verdict,
            "diagnosis": "" if verdict == "ok" else "No record at this name.",
        }
    yield {
        **base,
        "purpose": "verification",
        "name": f"_amazonses.{s.name}",
        "rtype": "TXT",
        "expected": hashlib.md5(s.name.encode()).hexdigest(),
        "severity": "warning",
        "verdict": verdict,
    }
    yield {
        **base,
        "purpose": "dmarc",
        "name": f"_dmarc.{s.name}",
        "rtype": "TXT",
        "expected": "v=DMARC1; p=none",
        "severity": "warning",
        "verdict": "ok",
    }
    if s.mail_from:
        for purpose, rtype, expected in (
            ("mail_from_mx", "MX", f"10 feedback-smtp.{code}.amazonses.com"),
            ("mail_from_spf", "TXT", "v=spf1 include:amazonses.com ~all"),
        ):
            yield {
                **base,
                "purpose": purpose,
                "name": f"mail.{s.name}",
                "rtype": rtype,
                "expected": expected,
                "severity": "blocking",
                "verdict": "ok",
            }


def _events(specs: list[world.Spec], regions: list[Any], now: Any) -> Iterator[dict[str, Any]]:
    """A history: one status event per non-verified identity per region, a day apart."""
    for i, s in enumerate(specs):
        if s.status == "SUCCESS":
            continue
        for r, reg in enumerate(regions):
            yield {
                "created_at": now - timedelta(hours=i % 48, minutes=r),
                "kind": "status",
                "actor_name": "sync",
                "account_id": reg.account_id,
                "region_id": reg.pk,
                "identity_name": s.name,
                "subject": "verification_status",
                "before": "SUCCESS",
                "after": s.status,
                "result": "ok",
            }
