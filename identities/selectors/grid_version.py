"""The grid's version, and the page cache keyed on it.

`current()` reads one row (identities.models.GridVersion) that database triggers move in the
same transaction as every write to what the grid shows (migration 0006): identities, their
regional rows and DNS checks, regions and accounts, whoever writes them (the sync, actions,
the DNS probe, the flags, the admin, a bulk UPDATE), except bookkeeping columns the grid
never shows (a lease, the sync's timestamps, synced_at, a check's checked_at: migration
0007), which every sync and probe rewrites. So a grid built after reading version v
is at least as new as v: read the version first, then the data (under READ COMMITTED each
later query sees every commit the version read saw, and maybe more, never less).

Besides what the version follows, the grid depends on the time (which regions are stale)
and on the sent count of a region that blocks every identity (its blocker quotes it; the
version ignores it, migration 0008): `grid.stale_signature` holds both and is part of every
key. The live refresh compares the same two things.

The cache holds, per process, the rendered result table (user-independent) of the last
`MAX_PAGES` (version, stale regions, filters): a page view that finds its key renders only the
page around it. The key also holds the version row's transaction id (PostgreSQL's xmin), so
a database restored from a backup, whose counter may repeat an old number, misses.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection

from identities.models import GridVersion

MAX_PAGES = 64  # ~100 KiB each at 50 identities x 20 regions

_pages: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def current() -> tuple[int, str] | None:
    """(counter, the row's transaction id) now; None when the row is missing (no caching)."""
    table = GridVersion._meta.db_table
    xmin = "xmin::text" if connection.vendor == "postgresql" else "''"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, {xmin} FROM {table} WHERE id = 1")  # noqa: S608 - constants
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def token(version: tuple[int, str] | None) -> str:
    """The version as the page sends it back with its live refresh."""
    return f"{version[0]}.{version[1]}" if version else ""


def cached(key: tuple[Hashable, ...], build: Callable[[], Any]) -> Any:
    """The value stored under `key`, else `build()` stored under it. The key starts with the
    version, so a changed grid is never found; storing under a new version drops the pages
    of the others (a version never comes back), then the least recently used beyond
    MAX_PAGES."""
    with _lock:
        if key in _pages:
            _pages.move_to_end(key)
            return _pages[key]
    value = build()
    with _lock:
        for old in [k for k in _pages if k[0] != key[0]]:
            del _pages[old]
        _pages[key] = value
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)
    return value


def clear() -> None:
    """Forget every page (tests: their transactions roll the counter back)."""
    with _lock:
        _pages.clear()
