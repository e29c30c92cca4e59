"""`manage.py discover_accounts --from LABEL --role-name NAME [--external-id X]`.

Adds the member accounts of the AWS Organization that account LABEL manages (or is a
delegated administrator of) and marks the closed ones (regions/discovery.py). Exits 0 when
done, 2 on bad input (unknown label, invalid role name), 1 when AWS refuses or fails.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regions.cli import bad_input
from regions.discovery import DiscoveryInputError, accounts_discover
from regions.models import AwsAccount
from regions.organizations import OrganizationsError


class Command(BaseCommand):
    help = "Add the member accounts of an AWS Organization, each with a role to assume."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="source",
            metavar="LABEL",
            required=True,
            help="the account (management or delegated administrator) to list from",
        )
        parser.add_argument(
            "--role-name", required=True, help="the IAM role to assume in each member account"
        )
        parser.add_argument("--external-id", default="", help="external id the role requires")

    def handle(self, *args, source: str, role_name: str, external_id: str, **options) -> None:
        account = AwsAccount.objects.filter(label=source).first()
        if account is None:
            known = ", ".join(AwsAccount.objects.values_list("label", flat=True)) or "none"
            raise bad_input(f"no account labelled {source!r} (known accounts: {known})")
        try:
            result = accounts_discover(source=account, role_name=role_name, external_id=external_id)
        except DiscoveryInputError as exc:
            raise bad_input(str(exc)) from exc
        except OrganizationsError as exc:
            raise CommandError(f"AWS Organizations: {exc}", returncode=1) from exc
        for label in result.added:
            self.stdout.write(f"added {label}")
        for label in result.closed:
            self.stdout.write(f"marked closed {label}")
        for label in result.reopened:
            self.stdout.write(f"active again {label}")
        self.stdout.write(result.summary())
