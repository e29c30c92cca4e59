"""Process tuning of a Celery worker's memory: fewer glibc malloc arenas.

glibc gives threads that allocate at the same moment arenas of their own, up to 8 per core,
and each arena keeps what was freed in it for its next allocations. A threads worker runs 50
syncs at once (docs/sync-concurrency.md), so its freed memory sat in up to 16 arenas: in an
organisation's round of 10,000-identity regions, `MALLOC_ARENA_MAX=2` took a worker
process's peak RSS from 329 to 300 MB (first sync) and 293 to 278 MB (re-sync), with no
change in wall time. Python's own small objects do not use them (pymalloc); the arenas hold
the larger blocks: answers being parsed, query results, lists and dicts of thousands.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt() parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads started from now on (the worker calls it
    before its pool starts). An operator's own MALLOC_ARENA_MAX wins; on another C library
    there is nothing to do. Returns whether the cap was set."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    if not mallopt(_M_ARENA_MAX, arenas):  # 1 on success
        log.info("malloc arenas not capped: mallopt refused")
        return False
    return True
