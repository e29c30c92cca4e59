"""A fast, read-only index over ZoneStore with the same answers as `ZoneStore.published()`.

`published()` scans every zone and a zone's whole record list per call; a page of 1000
domains asks it ~4000 times. This view keeps a dict index per zone and answers in O(1)
per lookup. It notices changes cheaply: `add_record` appends to the zone's list (only the
new tail is indexed), `remove_records` replaces the list (that zone is re-indexed), and a
new or replaced zone changes the store's zone list.
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
        self._zone_key: tuple[int, ...] = ()
        self._by_origin: dict[str, Zone] = {}
        self._zones: dict[str, _ZoneIndex] = {}
        self._local = threading.local()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Look for added or replaced zones once for a whole request, not once per lookup
        (a page of 1000 domains makes ~4000 lookups). Records are still checked per
        lookup, at O(1) cost, so records published mid-request are seen."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            with self._lock:
                self._sync_zones()
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    def _sync_zones(self) -> None:
        zones = self.store.zones()
        key = tuple(map(id, zones))
        if key == self._zone_key:
            return
        self._by_origin = {z.origin: z for z in zones}
        self._zones = {
            origin: zi
            for origin, zi in self._zones.items()
            if origin in self._by_origin and zi.zone_id == id(self._by_origin[origin])
        }
        self._zone_key = key

    def _index_for(self, origin: str) -> _ZoneIndex:
        zone = self._by_origin[origin]
        zi = self._zones.get(origin)
        if zi is None or not zi.current(zone):
            zi = self._zones[origin] = _ZoneIndex(
                id(zone), id(zone.records), next(iter(zone.nameservers), None)
            )
        if len(zone.records) != zi.count:
            zi.extend(zone)
        zi.delegated = zone.delegated
        return zi

    def _zone_of(self, name: str) -> str | None:
        labels = name.split(".")
        for i in range(len(labels)):
            candidate = ".".join(labels[i:])
            if candidate in self._by_origin:
                return candidate
        return None

    def published(self, name: str, rtype: str) -> list[str]:
        name, rtype = norm(name), rtype.upper()
        with self._lock:
            if not getattr(self._local, "depth", 0):
                self._sync_zones()
            origin = self._zone_of(name)
            if origin is None:
                return []
            zi = self._index_for(origin)
            return list(zi.index.get((name, rtype), [])) if zi.delegated else []

    def fault(self, name: str) -> str | None:
        """A DNS fault set on the name for every server (or its first one): SES sees it."""
        return self.store.fault_for(name)
