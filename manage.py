#!/usr/bin/env python3
"""Django's command-line utility for sesops."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad setting stops start-up with its message, not a traceback.
        sys.stderr.write(f"sesops: configuration error: {exc}\n")
        sys.exit(2)
    except DatabaseError as exc:
        # Every command against a fresh or unreachable database: one line, not a traceback.
        from config.cli import database_not_ready

        message = database_not_ready(exc)
        if message is None:
            raise
        sys.stderr.write(f"sesops: {message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
