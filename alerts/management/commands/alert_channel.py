"""Add or update an alert channel from the command line (scripts, the demo).

    manage.py alert_channel --name ops --webhook https://hooks.example.org/sesops \
        [--secret-file PATH] [--min-severity warning]
    manage.py alert_channel --name oncall --email ops@example.org,oncall@example.org
    manage.py alert_channel --name chat --apprise slack://T0/B0/XXXX

A new channel gets one rule (every kind, account and region from --min-severity up). With
--secret-file the webhook's secret is written there (new channel) or read from it (kept in
step with a receiver that already has it)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from alerts.forms import ChannelForm
from alerts.models import Channel, Rule, Severity
from regions.cli import bad_input


class Command(BaseCommand):
    help = "Add or update an alert channel (email, webhook or Apprise URL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--webhook", metavar="URL")
        target.add_argument("--email", metavar="ADDRESSES")
        target.add_argument("--apprise", metavar="URL")
        parser.add_argument("--secret-file", type=Path)
        parser.add_argument("--min-severity", choices=Severity.values, default=Severity.WARNING)

    def handle(self, *args, **opts) -> None:
        kind, target = next(
            (k, opts[k]) for k in ("webhook", "email", "apprise") if opts[k] is not None
        )
        channel = Channel.objects.filter(name=opts["name"]).first()
        form = ChannelForm(
            {"name": opts["name"], "type": kind, "target": target, "enabled": True},
            instance=channel,
        )
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise bad_input(errors)
        channel = form.save()
        secret_file: Path | None = opts["secret_file"]
        if kind == "webhook" and secret_file:
            if secret_file.exists() and secret_file.read_text().strip():
                channel.secret = secret_file.read_text().strip()
                channel.save(update_fields=["secret"])
            else:
                secret_file.write_text(channel.secret + "\n")
                secret_file.chmod(0o600)
        if not channel.rules.exists():
            Rule.objects.create(channel=channel, min_severity=opts["min_severity"])
        self.stdout.write(f"alert channel {channel.name}: {channel.type} -> {channel.target}")
