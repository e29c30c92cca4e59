"""Records a sync keeps on disk while it waits on SES, read back once when it writes.

A worker process runs 50 syncs at once, each holding what it read for the whole of its paced
calls (docs/sync-concurrency.md). On a 10,000-identity region's first sync that is ~1,400
GetEmailIdentity answers (~0.9 MB as objects, ~0.3 MB pickled), most of them domains' DKIM
tokens; only the syncs that write (at most `SESOPS_SYNC_DB_CONNECTIONS` a process) need them
in memory. A spill is an anonymous temporary file (gone when closed, or when the process
dies). If the disk refuses, the records stay in memory: the sync does not fail for it.
"""

from __future__ import annotations

import logging
import pickle
import tempfile
from typing import IO, Any

log = logging.getLogger(__name__)


class Spill:
    """Append-only until `take()`, which gives every record back (in order) and ends it."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._kept: list[Any] = []  # the records the disk did not take
        self._broken = False

    def add(self, record: Any) -> None:
        if not self._broken:
            try:
                if self._file is None:
                    # Open until take(): the spill lives as long as the sync's fetch.
                    self._file = tempfile.TemporaryFile()  # noqa: SIM115
                pickle.dump(record, self._file, pickle.HIGHEST_PROTOCOL)
                return
            except OSError as exc:
                log.warning("sync records kept in memory, the disk refused them: %s", exc)
                self._broken = True
        self._kept.append(record)

    def take(self) -> list[Any]:
        records: list[Any] = []
        if self._file is not None:
            with self._file as spilled:
                spilled.seek(0)
                while True:
                    try:
                        # Only this process wrote it, to a file no one else can open.
                        records.append(pickle.load(spilled))  # noqa: S301
                    except EOFError:
                        break
            self._file = None
        records += self._kept
        self._kept = []
        return records
