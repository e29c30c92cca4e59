"""Strict parsing of the environment: a bad value stops start-up with a clear message.

Every reader accepts `NAME_FILE` as an alternative to `NAME` (for secrets mounted as files).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str, default: str | None = None) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no)")


def env_str(name: str, default: str = "", *, required: bool = False) -> str:
    value = raw(name)
    value = default if value is None else value.strip()
    if required and not value:
        raise ImproperlyConfigured(f"{name} is empty: give it a value or leave it unset")
    return value


def _check_range(name: str, number: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} must be at most {maximum}")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    _check_range(name, number, minimum, maximum)
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    value = raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    # float() accepts "nan" and "inf"; neither is a usable rate, timeout or interval.
    if not math.isfinite(number):
        raise ImproperlyConfigured(f"{name}={value!r} is not a finite number")
    _check_range(name, number, minimum, maximum)
    return number


def env_log_level(name: str, default: str = "INFO") -> str:
    level = env_str(name, default).upper()
    known = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    if level not in known:
        raise ImproperlyConfigured(
            f"{name}={level!r} is not a log level: use one of {', '.join(known)}"
        )
    return level


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url: str, *, base_dir: Path) -> dict:
    """`postgres://user:pass@host:port/name?sslmode=require` or `sqlite:///path/to.db`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:] if not Path(path).is_absolute() else path
        name = Path(path) if Path(path).is_absolute() else base_dir / path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} names no database")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} has an invalid port") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL {url!r} is not understood: use postgres://user:pass@host:port/db "
        "or sqlite:///path/to/file.sqlite3"
    )


def check_url(name: str, value: str, schemes: set[str]) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r}: scheme must be one of {', '.join(sorted(schemes))}"
        )
    return value


def known_ses_regions() -> list[str]:
    """SES regions as botocore knows them (commercial and GovCloud), not a hand-kept list."""
    import botocore.session

    session = botocore.session.get_session()
    codes: set[str] = set()
    for partition in ("aws", "aws-us-gov"):
        codes.update(session.get_available_regions("sesv2", partition_name=partition))
    return sorted(codes)


def env_regions(name: str, default: list[str]) -> list[str]:
    codes = env_list(name, default)
    known = set(known_ses_regions())
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ImproperlyConfigured(
            f"{name} names regions where SES does not run: {', '.join(unknown)}. "
            f"Known SES regions: {', '.join(sorted(known))}"
        )
    if not codes:
        raise ImproperlyConfigured(f"{name} is empty: name at least one SES region")
    return codes


# Django's own deploy check (security.W009) asks for 50 characters and 5 distinct ones; a key
# that passes that but repeats a few characters (a word typed ten times) is still guessable,
# so the key also needs 10 distinct characters and 128 bits by a Shannon estimate.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_BITS = 128
MIN_SECRET_KEY_DISTINCT = 10  # a hex key has 16, a token_urlsafe key about 45


def check_secret_key(name: str, key: str) -> str:
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"{name} is {len(key)} characters: use at least {MIN_SECRET_KEY_LENGTH} random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if (
        key.startswith("django-insecure-")
        or len(counts) < MIN_SECRET_KEY_DISTINCT
        or per_char * len(key) < MIN_SECRET_KEY_BITS
    ):
        raise ImproperlyConfigured(
            f"{name} has too little entropy (about {per_char * len(key):.0f} bits, "
            f"{len(counts)} distinct characters): use a random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return key
