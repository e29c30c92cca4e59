"""Screening what SES answered before it is written: one bad value never costs a region.

PostgreSQL refuses a string longer than its column or holding a NUL byte (`DataError`, which
would roll back the whole region's sync and name nothing); SQLite stores it silently. Both
databases get the same treatment here instead: an identity whose name cannot be stored is
skipped, a field value that cannot be stored keeps its previous value, and each is named in
the sync run's error so someone can look at it in SES.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from identities.models import Identity, RegionalIdentity
from regions.ses_types import IdentitySummary

_NAME_MAX = Identity._meta.get_field("name").max_length or 320
_DOMAIN_MAX = Identity._meta.get_field("domain").max_length or 253


def _short(text: str) -> str:
    return repr(text[:60] + "…" if len(text) > 60 else text)


def bad_value(field: models.Field, value: Any) -> str | None:
    """Why `value` cannot be stored in `field`, or None when it can."""
    strings: Iterable[Any] = value if isinstance(value, list | tuple) else (value,)
    for item in strings:
        if not isinstance(item, str):
            continue
        if "\x00" in item:
            return "contains a NUL byte"
        limit = getattr(field, "max_length", None)
        if limit and len(item) > limit:
            return f"is {len(item)} characters, longer than the {limit} stored"
    return None


def listing(items: Iterable[IdentitySummary]) -> tuple[list[IdentitySummary], list[str]]:
    """The listed identities that can be stored, and a line for each skipped one."""
    kept: list[IdentitySummary] = []
    problems: list[str] = []
    for item in items:
        domain = item.name.rsplit("@", 1)[-1]
        if "\x00" in item.name:
            why = "contains a NUL byte"
        elif len(item.name) > _NAME_MAX:
            why = f"is {len(item.name)} characters (SES allows {_NAME_MAX})"
        elif len(domain) > _DOMAIN_MAX:
            why = f"has a {len(domain)}-character domain (at most {_DOMAIN_MAX})"
        else:
            kept.append(item)
            continue
        problems.append(f"skipped identity {_short(item.name)}: its name {why}")
    return kept, problems


def values(model: type[models.Model], state: dict[str, Any], what: str) -> list[str]:
    """Drop from `state` (in place) the values `model` cannot store; a line for each."""
    problems = []
    for name, value in list(state.items()):
        why = bad_value(model._meta.get_field(name), value)
        if why:
            del state[name]  # the row keeps what it had
            problems.append(f"{what}: {name} {why}; kept the previous value")
    return problems


def regional_state(name: str, state: dict[str, Any]) -> list[str]:
    return values(RegionalIdentity, state, f"identity {_short(name)}")
