"""What every management command shares: bad input exits 2 (argparse's own convention)."""

from __future__ import annotations

from django.core.management.base import CommandError

BAD_INPUT = 2  # a wrong argument or an unknown name: fix the command line and rerun


def bad_input(message: str) -> CommandError:
    """A CommandError that exits with status 2 (`raise bad_input("no account 'x'")`)."""
    return CommandError(message, returncode=BAD_INPUT)
