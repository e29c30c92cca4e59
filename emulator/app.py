"""The emulator's parts wired together: one per server (and per test)."""

from __future__ import annotations

from typing import Any

from emulator.identities import Identities
from emulator.lifecycle import Evaluator
from emulator.route53 import Route53
from emulator.state import State
from emulator.zones import ZoneStore


class App:
    def __init__(self, store: ZoneStore | None = None) -> None:
        self.state = State(store)
        self.ev = Evaluator(self.state)
        self.ids = Identities(self.state, self.ev)
        self.route53 = Route53(self.state)
        self.scenario: dict | None = None  # what /_emulator/reset goes back to
        self.dns: Any = None  # the DNS zone server handle, when one runs

    def zones_changed(self) -> None:
        """New zones may bring new nameserver addresses: let the DNS server listen on them."""
        if self.dns is not None:
            self.dns.refresh()

    @property
    def store(self) -> ZoneStore:
        return self.state.store
