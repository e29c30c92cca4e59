"""Every command on a database that is not migrated (or not reachable) says so in one line.

It exits 1, except probe_dns: its 1 means "records to fix", so a database it cannot use is a
failed probe (4), as issue 12 asks of every probe_dns crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, ProgrammingError

from config.cli import NOT_MIGRATED, database_not_ready

ROOT = Path(__file__).resolve().parents[2]

# (command, exit status on a database that is not migrated)
README_COMMANDS = [
    (["sync_ses"], 1),
    (["probe_dns"], 4),  # 1 would read as "records to fix"
    (["ses_report", "--format", "table"], 1),
    (
        ["send_check", "--from", "a@example.com", "--to", "b@example.com", "--region", "us-east-1"],
        1,
    ),
]


@pytest.mark.parametrize(("command", "status"), README_COMMANDS, ids=lambda c: str(c))
def test_every_cli_command_on_a_fresh_data_dir_says_migrate_in_one_line(tmp_path, command, status):
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SESOPS_DATA_DIR": str(tmp_path)},  # fresh SQLite
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == status
    assert result.stderr == f"sesops: {NOT_MIGRATED}\n"


def _wrapped(django_error: type[Exception], cause: Exception) -> Exception:
    try:
        raise django_error(str(cause)) from cause
    except django_error as exc:
        return exc


def test_it_recognises_postgresqls_missing_table_and_column():
    table = psycopg.errors.UndefinedTable('relation "regions_region" does not exist')
    column = psycopg.errors.UndefinedColumn('column "blocking" does not exist')
    assert database_not_ready(_wrapped(ProgrammingError, table)) == NOT_MIGRATED
    assert database_not_ready(_wrapped(ProgrammingError, column)) == NOT_MIGRATED


def test_an_unreachable_database_is_named_and_other_errors_pass_through():
    refused = psycopg.OperationalError("connection failed: Connection refused")
    message = database_not_ready(_wrapped(OperationalError, refused))
    assert message.startswith("the database cannot be reached (connection failed")
    assert message.endswith("check DATABASE_URL")
    unique = psycopg.errors.UniqueViolation("duplicate key value")
    assert database_not_ready(_wrapped(ProgrammingError, unique)) is None
    assert database_not_ready(ValueError("no such table")) is None
