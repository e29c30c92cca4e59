"""`manage.py sync_ses [--account LABEL] [--region CODE ...]`: the Celery sync, run here.

Regions run in parallel threads (each paced by the shared per-region limiter, so a worker
syncing at the same time shares the budget, and the region's lease keeps them from doubling
up); prints one summary line per region. Exit status: 0 every region synced, 3 a region
failed, synced partly or was skipped (another sync held it), 2 bad input.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection, connections

from config.env import known_ses_regions
from identities.sync.run import sync_region
from regions.cli import bad_input
from regions.models import AwsAccount, Region, SyncRun
from regions.services import ensure_default_account
from regions.visible import visible

MAX_THREADS = 16
# Exit status (README): 0 every region synced, 2 bad input, 3 a region failed, synced only
# partly, or was skipped because another sync held it.
EXIT_NOT_SYNCED = 3
NOT_SYNCED = {SyncRun.Status.FAILED, SyncRun.Status.PARTIAL, SyncRun.Status.SKIPPED}


def validate_scope(account: str | None, regions: list[str]) -> None:
    """Unknown account labels and region codes stop the command with a clear message."""
    if account and not AwsAccount.objects.filter(label=account).exists():
        known = ", ".join(AwsAccount.objects.values_list("label", flat=True)) or "none"
        raise bad_input(f"no account labelled {account!r} (known accounts: {known})")
    bad = [code for code in regions if code not in set(known_ses_regions())]
    if bad:
        raise bad_input(
            f"not an SES region: {', '.join(bad)} (SES runs in: {', '.join(known_ses_regions())})"
        )


def regions_in_scope(account: str | None, codes: list[str]) -> list[Region]:
    rows = Region.objects.filter(account__is_active=True, hidden=False).select_related("account")
    if account:
        rows = rows.filter(account__label=account)
    if codes:
        rows = Region.objects.filter(account__is_active=True, code__in=codes).select_related(
            "account"
        )
        if account:
            rows = rows.filter(account__label=account)
        missing = set(codes) - set(rows.values_list("code", flat=True))
        if missing:
            raise bad_input(
                f"no account{' ' + account if account else ''} syncs {', '.join(sorted(missing))}: "
                "add the region to SESOPS_REGIONS or to the account in the admin"
            )
    return list(rows.order_by("account__label", "code"))


def _sync_one(region: Region) -> tuple[SyncRun | None, float, str]:
    started = time.monotonic()
    try:
        close_old_connections()
        run = sync_region(region, trigger="command")
        return run, time.monotonic() - started, ""
    except Exception as exc:
        return None, time.monotonic() - started, f"{type(exc).__name__}: {exc}"
    finally:
        connections.close_all()  # this thread's connection; the pool thread may be reused


class Command(BaseCommand):
    help = "Sync SES state of every (or the given) account-region now, regions in parallel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", metavar="LABEL", help="only this account")
        parser.add_argument(
            "--region",
            metavar="CODE",
            nargs="+",
            action="extend",
            default=[],
            help="only these region codes",
        )

    def handle(self, *args: object, **options: object) -> None:
        account: str | None = options["account"]
        codes: list[str] = options["region"]
        ensure_default_account()
        validate_scope(account, codes)
        regions = regions_in_scope(account, codes)
        if not regions:
            raise bad_input("nothing to sync: no active account-region matches")
        started = time.monotonic()
        threads = min(MAX_THREADS, len(regions))
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            threads = 1  # threads cannot share an in-memory SQLite database (table locks)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(_sync_one, regions))
        rows = []
        not_synced = 0
        for region, (run, seconds, crash) in zip(regions, results, strict=True):
            status = run.status if run else "failed"
            not_synced += status in NOT_SYNCED
            error = crash or (run.error if run else "")
            rows.append(
                [
                    visible(f"{region.account.label}/{region.code}"),
                    status,
                    str(run.identities if run else 0),
                    str(run.changes if run else 0),
                    str(run.calls if run else 0),
                    str(run.throttled if run else 0),
                    f"{seconds:.1f}s",
                    visible(error[:120]),  # SES names in errors: shown, never obeyed
                ]
            )
        headers = [
            "region",
            "status",
            "identities",
            "changes",
            "calls",
            "throttled",
            "time",
            "errors",
        ]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        for line in [headers, *rows]:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            )
        self.stdout.write(f"{len(regions)} regions in {time.monotonic() - started:.1f}s")
        if not_synced:
            raise CommandError(
                f"{not_synced} of {len(regions)} regions not synced (failed, partial or skipped:"
                " see the table)",
                returncode=EXIT_NOT_SYNCED,
            )
