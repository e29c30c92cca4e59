"""Seed the local demo: two AWS accounts (named profiles pointing at the emulator), their
regions, and a demo admin user. Demo only: it refuses to run unless DEBUG and
SESOPS_DEMO_LOGIN are on."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from regions.cli import bad_input
from regions.models import AwsAccount, Region

# Label, AWS profile, account id and regions: they match emulator/scenarios/demo.yaml.
DEMO_ACCOUNTS = [
    ("prod", "sesops-prod", "111111111111", ["us-east-1", "eu-west-1", "ap-southeast-2"]),
    ("staging", "sesops-staging", "222222222222", ["us-east-1"]),
]


class Command(BaseCommand):
    help = "Create the demo accounts, regions and the demo admin user (local demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password-file", type=Path, required=True)

    def handle(self, *args: object, password_file: Path, **options: object) -> None:
        if not (settings.DEBUG and settings.SESOPS_DEMO_LOGIN):
            raise bad_input(
                "setup_demo is for the local demo: set DEBUG=true SESOPS_DEMO_LOGIN=true"
            )
        with transaction.atomic():
            for label, profile, account_id, codes in DEMO_ACCOUNTS:
                account, _ = AwsAccount.objects.update_or_create(
                    label=label, defaults={"profile_name": profile, "account_id": account_id}
                )
                for code in codes:
                    Region.objects.get_or_create(account=account, code=code)
            user, created = User.objects.get_or_create(username="demo")
            if created or not password_file.exists():
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                password_file.write_text(password)
                password_file.chmod(0o600)
            # The admin role brings staff status and the admin's permissions (regions.roles).
            user.groups.add(Group.objects.get(name="admin"))
        self.stdout.write(f"demo accounts: {', '.join(a[0] for a in DEMO_ACCOUNTS)}; user: demo")
