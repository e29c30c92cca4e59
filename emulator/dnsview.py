"""A fast, read-only index over ZoneStore with the same answers as `ZoneStore.published()`.

`published()` scans a zone's whole record list per call; a page of 1000 domains asks it
~4000 times, so against a zone of thousands of records that is O(total x page). This view
rebuilds a dict index only when the store changed, detected by a cheap fingerprint of
each zone (its record list object, length and last record), and answers in O(1).
"""

from __future__ import annotations

import threading

from emulator.zones import ZoneStore, norm


class PublishedView:
    def __init__(self, store: ZoneStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._fingerprint: tuple = ()
        self._origins: set[str] = set()
        self._delegated: set[str] = set()
        self._index: dict[tuple[str, str, str], list[str]] = {}

    def _fresh(self) -> None:
        zones = self.store.zones()
        fp = tuple(
            (
                z.origin,
                id(z),
                z.delegated,
                tuple(z.nameservers),
                id(z.records),
                len(z.records),
                id(z.records[-1]) if z.records else 0,
            )
            for z in zones
        )
        if fp == self._fingerprint:
            return
        index: dict[tuple[str, str, str], list[str]] = {}
        for z in zones:
            first = next(iter(z.nameservers), None)
            for r in list(z.records):
                if r.servers is None or first in r.servers:
                    index.setdefault((z.origin, r.name, r.rtype), []).append(r.value)
        self._origins = {z.origin for z in zones}
        self._delegated = {z.origin for z in zones if z.delegated}
        self._index = index
        self._fingerprint = fp

    def _zone_of(self, name: str) -> str | None:
        labels = name.split(".")
        for i in range(len(labels)):
            candidate = ".".join(labels[i:])
            if candidate in self._origins:
                return candidate
        return None

    def published(self, name: str, rtype: str) -> list[str]:
        name, rtype = norm(name), rtype.upper()
        with self._lock:
            self._fresh()
            origin = self._zone_of(name)
            if origin is None or origin not in self._delegated:
                return []
            return list(self._index.get((origin, name, rtype), []))

    def fault(self, name: str) -> str | None:
        """A DNS fault set on the name for every server (or its first one): SES sees it."""
        return self.store.fault_for(name)
