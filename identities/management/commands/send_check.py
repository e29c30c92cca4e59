"""`manage.py send_check --from A --to B [--to C] [--return-path P] --region R [--account L]`:
would SES accept it? Addresses are taken as typed (case and display names kept).

Exit status: 0 accepted, 1 rejected (SES's error printed), 2 bad input. Reads what sync last
stored; sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identities.sendcheck.selectors import (
    InvalidAddress,
    UnknownAccount,
    UnknownRegion,
    resolve_account,
    send_check,
)
from regions.cli import BAD_INPUT
from regions.visible import visible


class Command(BaseCommand):
    help = "Would SES accept this send from this account-region? Exit 0 yes, 1 no, 2 bad input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="sender", required=True, help="sender address")
        parser.add_argument(
            "--to",
            dest="recipients",
            action="append",
            required=True,
            help="recipient address (repeat for several; commas also separate)",
        )
        parser.add_argument(
            "--return-path",
            default="",
            help="Return-Path / feedback address (optional; SES checks it is verified too)",
        )
        parser.add_argument("--region", required=True, help="SES region code, e.g. us-east-1")
        parser.add_argument("--account", help="account label (default: the only account)")
        parser.add_argument(
            "--quiet", action="store_true", help="print only SES's error, not the reasons"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = resolve_account(options["account"])
            result = send_check(
                account,
                options["region"],
                options["sender"],
                options["recipients"],
                return_path=options["return_path"],
            )
        except (InvalidAddress, UnknownAccount, UnknownRegion) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        if not options["quiet"]:
            for reason in result.reasons:
                self.stdout.write(f"- {visible(reason)}")
        if result.accepted:
            self.stdout.write(self.style.SUCCESS("Accepted: SES would send this message."))
            return
        self.stdout.write(self.style.ERROR(result.error))
        if result.wording_note:
            self.stdout.write(f"note: {result.wording_note}")
        if not options["quiet"]:
            for fix in result.fixes:
                self.stdout.write(f"fix: {visible(fix)}")
        raise SystemExit(1)
