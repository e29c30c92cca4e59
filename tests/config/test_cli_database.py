"""Every command on a database that is not migrated (or not reachable) says so in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, ProgrammingError

from config.cli import NOT_MIGRATED, database_not_ready

ROOT = Path(__file__).resolve().parents[2]

README_COMMANDS = [
    ["sync_ses"],
    ["probe_dns"],
    ["ses_report", "--format", "table"],
    ["send_check", "--from", "a@example.com", "--to", "b@example.com", "--region", "us-east-1"],
]


@pytest.mark.parametrize("command", README_COMMANDS, ids=lambda c: c[0])
def test_every_cli_command_on_a_fresh_data_dir_says_migrate_in_one_line(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SESOPS_DATA_DIR": str(tmp_path)},  # fresh SQLite
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
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
