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


def test_check_deploy_is_clean_with_a_secret_set(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "SESOPS_DATA_DIR": str(tmp_path),
            "SESOPS_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-value",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
