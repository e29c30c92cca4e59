"""Settings are parsed strictly: a bad value stops start-up with a message naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


def test_it_parses_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env.env_bool("X_FLAG")


def test_it_rejects_numbers_out_of_range(monkeypatch):
    monkeypatch.setenv("X_NUM", "5")
    with pytest.raises(ImproperlyConfigured, match="X_NUM=5 must be at least 10"):
        env.env_int("X_NUM", 60, minimum=10)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env.env_int("X_NUM", 60)


def test_it_reads_secrets_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "s3cret-from-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_str("X_SECRET")


def test_it_parses_database_urls(tmp_path):
    pg = env.parse_database_url(
        "postgres://sesops:p%40ss@db.internal:6432/sesops?sslmode=require", base_dir=tmp_path
    )
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"]) == ("sesops", "sesops", "p@ss")
    assert (pg["HOST"], pg["PORT"], pg["OPTIONS"]) == (
        "db.internal",
        "6432",
        {"sslmode": "require"},
    )
    lite = env.parse_database_url("sqlite:////var/lib/sesops/db.sqlite3", base_dir=tmp_path)
    assert lite == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/sesops/db.sqlite3"}
    with pytest.raises(ImproperlyConfigured, match="not understood"):
        env.parse_database_url("mysql://root@localhost/db", base_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        env.parse_database_url("postgres://localhost", base_dir=tmp_path)


def test_it_rejects_regions_where_ses_does_not_run(monkeypatch):
    monkeypatch.setenv("X_REGIONS", "us-east-1, eu-west-1")
    assert env.env_regions("X_REGIONS", []) == ["us-east-1", "eu-west-1"]
    monkeypatch.setenv("X_REGIONS", "us-east-1,mars-north-1")
    with pytest.raises(ImproperlyConfigured, match="mars-north-1"):
        env.env_regions("X_REGIONS", [])


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SESOPS_SYNC_INTERVAL", "soon", "SESOPS_SYNC_INTERVAL='soon' is not a whole number"),
        ("SESOPS_REGIONS", "us-east-1,atlantis-1", "atlantis-1"),
        ("DEBUG", "perhaps", "DEBUG='perhaps' is not a boolean"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL='http://cache:6379': scheme must be"),
        ("SESOPS_SES_RATE", "nan", "SESOPS_SES_RATE='nan' is not a finite number"),
        ("SESOPS_DNS_TIMEOUT", "inf", "SESOPS_DNS_TIMEOUT='inf' is not a finite number"),
        ("SESOPS_DNS_PORT", "70000", "SESOPS_DNS_PORT=70000 must be at most 65535"),
        ("SESOPS_LOG_LEVEL", "chatty", "SESOPS_LOG_LEVEL='CHATTY' is not a log level"),
        ("SESOPS_CELERY_QUEUE", " ", "SESOPS_CELERY_QUEUE is empty"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is empty"),
        ("SESOPS_SECRET_KEY", "too-short-a-secret", "SESOPS_SECRET_KEY is 18 characters"),
        ("SESOPS_SECRET_KEY", "secret" * 10, "SESOPS_SECRET_KEY has too little entropy"),
        ("SECRET_KEY", "django-insecure-" + "k" * 40, "SECRET_KEY has too little entropy"),
        ("SESOPS_SESSION_AGE", "10", "SESOPS_SESSION_AGE=10 must be at least 300"),
        ("SESOPS_DB_POOL", "-1", "SESOPS_DB_POOL=-1 must be at least 0"),
    ],
)
def test_it_stops_manage_py_with_a_clear_message(tmp_path, name, value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SESOPS_DATA_DIR": str(tmp_path), name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "sesops: configuration error:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_infinite_and_out_of_range_numbers(monkeypatch):
    for value in ("nan", "inf", "-inf", "NaN"):
        monkeypatch.setenv("X_RATE", value)
        with pytest.raises(ImproperlyConfigured, match="is not a finite number"):
            env.env_float("X_RATE", 1.0, minimum=0.0)
    monkeypatch.setenv("X_RATE", "1e9")
    with pytest.raises(ImproperlyConfigured, match=r"X_RATE=1000000000\.0 must be at most 1000"):
        env.env_float("X_RATE", 1.0, maximum=1000.0)
    monkeypatch.setenv("X_PORT", "65536")
    with pytest.raises(ImproperlyConfigured, match="X_PORT=65536 must be at most 65535"):
        env.env_int("X_PORT", 53, minimum=1, maximum=65535)
    monkeypatch.setenv("X_PORT", "65535")
    assert env.env_int("X_PORT", 53, minimum=1, maximum=65535) == 65535


def test_it_accepts_a_random_secret_key_and_refuses_a_repetitive_one():
    import secrets

    key = secrets.token_urlsafe(50)
    assert env.check_secret_key("K", key) == key
    assert env.check_secret_key("K", secrets.token_hex(25))  # 50 hex digits: ~190 bits
    with pytest.raises(ImproperlyConfigured, match="K is 49 characters"):
        env.check_secret_key("K", key[:49])
    with pytest.raises(ImproperlyConfigured, match="too little entropy"):
        env.check_secret_key("K", "abcde" * 10)


def test_it_names_known_log_levels(monkeypatch):
    monkeypatch.setenv("X_LEVEL", "warning")
    assert env.env_log_level("X_LEVEL") == "WARNING"
    monkeypatch.setenv("X_LEVEL", "NOTSET")
    with pytest.raises(ImproperlyConfigured, match="use one of DEBUG, INFO, WARNING"):
        env.env_log_level("X_LEVEL")


# The README's "Running it against real AWS" settings (a random key stands in for the file).
README_PRODUCTION = {
    "DATABASE_URL": "postgres://sesops@db/sesops",
    "REDIS_URL": "redis://cache:6379/0",
    "ALLOWED_HOSTS": "sesops.example.com",
    "SESOPS_REGIONS": "us-east-1,eu-west-1,ap-southeast-2",
    "SESOPS_BEHIND_PROXY": "true",
}


@pytest.mark.parametrize("settings_env", [{}, README_PRODUCTION], ids=["defaults", "readme"])
def test_check_deploy_is_clean_with_a_secret_set(tmp_path, settings_env):
    import secrets

    (tmp_path / "key").write_text(secrets.token_urlsafe(50))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "SESOPS_DATA_DIR": str(tmp_path),
            "SESOPS_SECRET_KEY_FILE": str(tmp_path / "key"),
            **settings_env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_pool_keeps_postgresql_connections_and_leaves_sqlite_alone(tmp_path):
    from config import components

    pg = components.database("postgres://u@db/sesops", base_dir=tmp_path, pool=8)
    assert pg["OPTIONS"]["pool"]["max_size"] == 8
    assert pg["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert pg["CONN_HEALTH_CHECKS"] is True  # the pool checks what it hands out
    assert "pool" not in components.database("postgres://u@db/sesops", base_dir=tmp_path)["OPTIONS"]
    lite = components.database("sqlite:///x.sqlite3", base_dir=tmp_path, pool=8)
    assert "pool" not in lite["OPTIONS"]
