"""A fast, read-only index over ZoneStore with the same answers as `ZoneStore.published()`.

`published()` scans a zone's whole record list per call; a page of 1000 domains asks it
~4000 times, so against a zone of thousands of records that is O(total x page). This view
keeps a dict index per zone and answers in O(1). It notices changes cheaply: `add_record`
appends to the zone's list (only the new tail is indexed), `remove_records` replaces the
list (that zone is re-indexed), so loading thousands of records stays linear.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from emulator.zones import Zone, ZoneStore, norm


@dataclass
class _ZoneIndex:
    zone_id: int
    records_id: int
    first: str | None
    count: int = 0
    last_id: int = 0
    delegated: bool = True
    index: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def extend(self, zone: Zone) -> None:
        records = zone.records
        for r in records[self.count :]:
            if r.servers is None or self.first in r.servers:
                self.index.setdefault((r.name, r.rtype), []).append(r.value)
        self.count = len(records)
        self.last_id = id(records[-1]) if records else 0

    def current(self, zone: Zone) -> bool:
        """Is the cached index a prefix of the zone's records (nothing removed since)?"""
        records = zone.records
        return (
            self.zone_id == id(zone)
            and self.records_id == id(records)
            and self.first == next(iter(zone.nameservers), None)
            and len(records) >= self.count
            and (self.count == 0 or id(records[self.count - 1]) == self.last_id)
        )


class PublishedView:
    def __init__(self, store: ZoneStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._zones: dict[str, _ZoneIndex] = {}
        self._local = threading.local()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Check the store for changes once for a whole request, not once per lookup:
        the check costs O(zones), and a page of 1000 domains makes ~4000 lookups."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            with self._lock:
                self._fresh()
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    def _fresh(self) -> None:
        fresh: dict[str, _ZoneIndex] = {}
        for zone in self.store.zones():
            zi = self._zones.get(zone.origin)
            if zi is None or not zi.current(zone):
                zi = _ZoneIndex(id(zone), id(zone.records), next(iter(zone.nameservers), None))
            zi.extend(zone)
            zi.delegated = zone.delegated
            fresh[zone.origin] = zi
        self._zones = fresh

    def _zone_of(self, name: str) -> str | None:
        labels = name.split(".")
        for i in range(len(labels)):
            candidate = ".".join(labels[i:])
            if candidate in self._zones:
                return candidate
        return None

    def published(self, name: str, rtype: str) -> list[str]:
        name, rtype = norm(name), rtype.upper()
        with self._lock:
            if not getattr(self._local, "depth", 0):
                self._fresh()
            origin = self._zone_of(name)
            if origin is None or not self._zones[origin].delegated:
                return []
            return list(self._zones[origin].index.get((name, rtype), []))

    def fault(self, name: str) -> str | None:
        """A DNS fault set on the name for every server (or its first one): SES sees it."""
        return self.store.fault_for(name)
