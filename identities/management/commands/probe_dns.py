"""`manage.py probe_dns [--domain D ...]`: probe the DNS of domain identities now.

Prints one line per domain and region with the count of records per verdict, then the
records that are not ok with their diagnosis. Exit status, for scripts and CI checks:
0 every required record is right (warnings, such as a missing DMARC, allowed); 1 a required
record is missing, wrong or not on every nameserver; 2 bad input; 3 nothing to fix found,
but some records could not be checked (timeouts, SERVFAIL) or a domain's data is invalid;
4 the probe itself failed (a crash, or a database that is not migrated or not reachable:
never 1, which would read as "records to fix"; issue 12 puts this before the rule that every
command exits 1 on an unmigrated database)."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.cli import database_not_ready
from identities.dns.names import DnsInputError, ascii_name
from identities.dns.selectors import shared_diagnoses
from identities.dns.service import probe_all
from identities.models import PROBLEM_VERDICTS, RegionalIdentity
from regions.visible import visible

_ORDER = ("ok", "partial", "missing", "wrong_value", "wrong_type", "unknown")
TO_FIX, BAD_INPUT, UNCHECKED, CRASHED = 1, 2, 3, 4


class Command(BaseCommand):
    help = (
        "Ask every authoritative nameserver for the DNS records SES expects, and store "
        "verdicts. Exit status: 0 every required record is right; 1 records to fix; 2 bad "
        "input; 3 some records could not be checked; 4 the probe failed (a crash, or a "
        "database not migrated or not reachable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            metavar="NAME",
            help="Probe only this domain identity (repeatable; IDN allowed).",
        )

    def execute(self, *args: object, **options: object) -> str | None:
        """A crash (a bug, a failing dependency) exits CRASHED, never TO_FIX: Python's own
        exit status for an uncaught exception is 1, the code scripts read as "records to
        fix". A database that is not migrated or not reachable gets manage.py's one-line
        answer (config/cli.py), but exits CRASHED here: the other commands exit 1 for it,
        which for probe_dns would read as "records to fix"."""
        try:
            return super().execute(*args, **options)
        except (CommandError, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            message = database_not_ready(exc)
            if message:
                self.stderr.write(f"sesops: {message}", style_func=str)
                raise SystemExit(CRASHED) from exc
            raise CommandError(
                f"the probe failed: {type(exc).__name__}: {exc}", returncode=CRASHED
            ) from exc

    def handle(self, *args: object, **options: object) -> None:
        domains: list[str] = options["domain"]  # type: ignore[assignment]
        try:
            for note in filter(None, (ascii_name(d).note for d in domains)):
                self.stdout.write(f"note: {note}")
            outcome = probe_all(domains=domains or None, trigger="command")
        except DnsInputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        rows = RegionalIdentity.objects.filter(pk__in=list(outcome.verdicts) + list(outcome.errors))
        names = {
            ri.pk: (ri.identity.name, ri.region.account.label, ri.region.code)
            for ri in rows.select_related("identity", "region__account")
        }
        for pk, message in outcome.errors.items():
            name, account, region = names[pk]
            self.stderr.write(f"{name} {account}/{region}: {message}")
        for pk, verdicts in sorted(outcome.verdicts.items(), key=lambda kv: names[kv[0]]):
            name, account, region = names[pk]
            counts = Counter(v.verdict for v in verdicts)
            summary = ", ".join(f"{counts[k]} {k}" for k in _ORDER if counts[k])
            self.stdout.write(f"{name} {account}/{region}: {summary or 'no records'}")
            bad = [v for v in verdicts if v.verdict != "ok"]
            # A diagnosis several records share names one cause: said once, after them.
            shared = shared_diagnoses([v.diagnosis for v in bad])
            for v in bad:
                kind = "" if v.record.blocking else " (warning)"
                self.stdout.write(f"  {v.verdict}{kind}: {v.record.name} {v.record.rtype}")
                if v.diagnosis not in shared:
                    for line in v.diagnosis.splitlines():
                        # Diagnoses quote what nameservers served: shown, never obeyed.
                        self.stdout.write(f"    {visible(line)}")
            for text, n in shared.items():
                self.stdout.write(f"  diagnosis ({n} records):")
                for line in text.splitlines():
                    self.stdout.write(f"    {visible(line)}")
        run = outcome.run
        self.stdout.write(
            f"probe {run.status}: {run.identities} regional identities, {run.calls} queries, "
            f"{run.changes} changes in {run.duration.total_seconds() if run.duration else 0:.1f}s"
        )
        every = [v for verdicts in outcome.verdicts.values() for v in verdicts]
        to_fix = [v for v in every if v.record.blocking and v.verdict in PROBLEM_VERDICTS]
        if to_fix:
            self.stdout.write(self.style.ERROR(f"{len(to_fix)} required records to fix."))
            raise SystemExit(TO_FIX)
        unchecked = sum(v.verdict == "unknown" for v in every)
        if unchecked or outcome.errors:
            self.stdout.write(
                self.style.WARNING(
                    f"Nothing to fix found, but {unchecked} records could not be checked and "
                    f"{len(outcome.errors)} domains have invalid data."
                )
            )
            raise SystemExit(UNCHECKED)
