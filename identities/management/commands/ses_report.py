"""`manage.py ses_report [--format json|table] [--account LABEL] [--region CODE ...]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from identities.management.commands.sync_ses import validate_scope
from identities.selectors.report import report_rows
from regions.ses_types import DOMAIN
from regions.visible import visible

TABLE_COLUMNS = [
    ("account", lambda r: r["account"]),
    ("region", lambda r: r["region"]),
    ("identity", lambda r: r["identity"]),
    ("kind", lambda r: "domain" if r["kind"] == DOMAIN else "email"),
    ("verification", lambda r: r["statuses"]["verification"] or "-"),
    ("dkim", lambda r: r["statuses"]["dkim"] or "-"),
    ("mail_from", lambda r: r["statuses"]["mail_from"] or "-"),
    ("sending", lambda r: _yes_no(r["statuses"]["sending_enabled"])),
    ("sandbox", lambda r: _yes_no(r["sandbox"])),
    ("status", lambda r: r["status"]),
    ("blockers", lambda r: _codes(r["blockers"])),
]


def _codes(blockers: list[dict]) -> str:
    """Blocking codes as they are, warnings with a `?` (`verification_pending,sandbox?`)."""
    marks = [b["code"] + ("" if b["severity"] == "blocking" else "?") for b in blockers]
    return ",".join(marks) or "-"


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def render_table(rows: list[dict], columns=TABLE_COLUMNS) -> str:
    # visible(): a name holding U+202E or an escape sequence must not steer the terminal.
    cells = [[visible(str(get(row))) for _, get in columns] for row in rows]
    headers = [name for name, _ in columns]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print every regional identity with its SES statuses (JSON or a table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--account", metavar="LABEL", help="only this account")
        parser.add_argument(
            "--region", metavar="CODE", action="append", default=[], help="only these regions"
        )
        parser.add_argument(
            "--blocking-only",
            action="store_true",
            help="only regional identities with a blocker that stops sending",
        )

    def handle(self, *args: object, **options: object) -> None:
        account = options["account"]
        regions = options["region"]
        validate_scope(account, regions)
        states = report_rows(
            account=account, regions=regions, blocking_only=bool(options["blocking_only"])
        )
        # The JSON the API serves for a regional identity (identities.selectors.report).
        rows = [s.model_dump(mode="json") for s in states]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            empty = "nothing is blocked" if options["blocking_only"] else "no identities synced yet"
            self.stdout.write(render_table(rows) if rows else empty)
