"""A worker caps glibc's malloc arenas before its pool starts (config/worker_memory.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from celery.signals import worker_init

# A fresh interpreter: mallopt changes the process it runs in.
_PROBE = """
import sys
from config.worker_memory import limit_malloc_arenas
print(limit_malloc_arenas())
"""


def _probe(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_cap_is_set_on_glibc_when_the_operator_set_none():
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _probe(env) == "True"  # Debian's glibc: mallopt(M_ARENA_MAX) accepted


def test_an_operators_malloc_arena_max_wins():
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    assert _probe(env) == "False"


def test_the_worker_caps_the_arenas_when_it_starts(monkeypatch):
    from config import celery as celery_config

    capped = []
    monkeypatch.setattr(celery_config, "limit_malloc_arenas", lambda: capped.append(True))

    receivers = worker_init._live_receivers(None)
    assert celery_config._fewer_malloc_arenas in receivers
    celery_config._fewer_malloc_arenas()  # what the worker's start sends it
    assert capped == [True]
