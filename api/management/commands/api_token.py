"""`manage.py api_token --user NAME [--name TEXT] [--scope read|operate] [--expires-in-days N]`:
create an API token for a user and print it (the only time it is shown), e.g. to provision a
pipeline or Prometheus without a browser. Revoke on the user's API tokens page or the admin."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the user the token acts as")
        parser.add_argument("--name", default="command line", help="what uses the token")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default="read")
        parser.add_argument("--expires-in-days", type=int, default=None, metavar="N")

    def handle(self, *args: object, **options: object) -> None:
        users = get_user_model().objects
        try:
            user = users.get(username=options["user"], is_active=True)
        except users.model.DoesNotExist:
            raise CommandError(f"No active user named {options['user']!r}") from None
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1")
        new = token_create(
            user=user,
            name=str(options["name"]),
            scope=str(options["scope"]),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        self.stdout.write(new.secret)
