#!/usr/bin/env python3
"""Django's command-line utility for sesops."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad setting stops start-up with its message, not a traceback.
        sys.stderr.write(f"sesops: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
