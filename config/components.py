"""Settings built from several variables, files or folders: the secret key, the database,
cache and Celery broker options, the email backend and the metrics networks. Each fails at
start-up with a message naming its variable (config/env.py reads the single values)."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import check_secret_key, check_url, env_list, env_str, parse_database_url


def secret_key(data_dir: Path) -> str:
    for name in ("SESOPS_SECRET_KEY", "SECRET_KEY"):
        if key := env_str(name):
            return check_secret_key(name, key)
    # No secret given: keep a random one in the data directory so sessions survive restarts
    # and no secret is ever hard-coded.
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database(url: str, *, base_dir: Path, pool: int = 0) -> dict:
    """Django's DATABASES entry. `pool` > 0 (PostgreSQL): each process keeps up to that many
    connections and reuses them (psycopg's pool): a sync's database visits then cost no
    connection set-up and tear-down (~8 ms of PostgreSQL CPU and ~2 ms of the worker's a
    visit), and a thread that finds every connection busy waits for one (30 s at most)."""
    db = parse_database_url(url, base_dir=base_dir)
    if pool and db["ENGINE"].endswith("postgresql"):
        db["CONN_MAX_AGE"] = 0  # the pool keeps them (Django refuses persistent + pooled)
        # Kept on: with a pool, Django has it check each connection it hands out, so one
        # that PostgreSQL dropped (a restart) is replaced rather than failing a query.
        db["CONN_HEALTH_CHECKS"] = True
        db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool, "timeout": 30, "max_idle": 300}
    if db["ENGINE"].endswith("sqlite3"):
        # WAL + a busy timeout let the web server, the worker and beat share one SQLite file.
        db["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    return db


def caches(redis_url: str) -> dict:
    if redis_url:
        check_url("REDIS_URL", redis_url, {"redis", "rediss", "unix"})
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        }
    # Shared by web, worker and beat processes through the database (resend cooldowns).
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sesops_cache",
        }
    }


def broker_options(url: str, data_dir: Path) -> dict:
    """CELERY_BROKER_TRANSPORT_OPTIONS: kombu's filesystem transport gets its folders."""
    if url != "filesystem://":
        check_url("CELERY_BROKER_URL", url, {"redis", "rediss", "amqp", "sqla+sqlite"})
        return {"visibility_timeout": 3600}
    folder = data_dir / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


# Email: Django's mail. smtp (EMAIL_HOST...), console (stdout) or file (EMAIL_FILE_PATH).
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}


def email_backend(name: str) -> str:
    value = env_str(name, "smtp")
    if value not in _EMAIL_BACKENDS:
        raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(_EMAIL_BACKENDS)}")
    return _EMAIL_BACKENDS[value]


def networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma list of CIDRs."""
    try:
        return [ipaddress.ip_network(n, strict=False) for n in env_list(name)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc
