"""One-line answers for the command line when the database is not ready for sesops."""

from __future__ import annotations

from django.db import DatabaseError

NOT_MIGRATED = "the database is not migrated: run manage.py migrate"

# What SQLite says when a table or column the code expects is not there yet.
_SQLITE_MISSING = ("no such table", "no such column")  # PostgreSQL: UndefinedTable/Column


def database_not_ready(exc: BaseException) -> str | None:
    """The line to print for `exc`, or None when it is not about the database's readiness."""
    if not isinstance(exc, DatabaseError):
        return None
    cause = exc.__cause__ or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    name = type(cause).__name__
    if name in {"UndefinedTable", "UndefinedColumn"} or any(
        marker in text for marker in _SQLITE_MISSING
    ):
        return NOT_MIGRATED
    if name == "OperationalError" and ("connect" in text or "unable to open" in text):
        return f"the database cannot be reached ({text}): check DATABASE_URL"
    return None
