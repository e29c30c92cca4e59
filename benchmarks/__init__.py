"""Benchmarks that print figures: sync against the SES API's floor, the dashboard at scale,
and a sync worker's peak memory. Run them with `python -m benchmarks` (or `make bench`).

They never touch the database named by DATABASE_URL: `configure()` points Django at
SESOPS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sesops_bench),
creates that database when it is missing and migrates it. The benchmark functions
themselves take an already configured Django, so the test suite runs them (small N)
against its own test database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DB = "postgres://postgres@127.0.0.1:5432/sesops_bench"


def bench_database_url() -> str:
    return os.environ.get("SESOPS_BENCH_DATABASE_URL") or DEFAULT_BENCH_DB


def bench_environ(database_url: str | None = None) -> dict[str, str]:
    """The environment a benchmark process runs with (also given to its subprocesses)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Never the user's own database: benchmarks wipe what they generate.
            "DATABASE_URL": database_url or bench_database_url(),
            "SESOPS_DATA_DIR": str(REPO / "var" / "bench"),
            # Requests come from Django's test Client over plain HTTP, host "testserver".
            "SESOPS_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "SESOPS_LOG_LEVEL": os.environ.get("SESOPS_LOG_LEVEL", "WARNING"),
        }
    )
    return env


def ensure_database(url: str) -> None:
    """CREATE DATABASE for a postgres:// URL when it does not exist yet."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin = f"postgresql://{parts.netloc}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure(database_url: str | None = None, *, migrate: bool = True) -> None:
    """Set up Django on the benchmark database (created and migrated when needed)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.update(bench_environ(database_url))
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
