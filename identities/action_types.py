"""What the actions (identities/actions.py) take and return: plain, frozen values that pages,
the API and commands share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from identities.dns.expected import ExpectedRecord
from identities.selectors.detail import deed_origin
from regions.models import Region

Level = Literal["success", "warning", "error"]
DkimMode = Literal["easy", "deed", "byodkim"]


@dataclass(frozen=True)
class RegionOutcome:
    """The outcome in one region."""

    region: str
    ok: bool
    message: str
    records: list[ExpectedRecord] = field(default_factory=list)
    unknown: bool = False  # SES did not answer in time: it may have acted


@dataclass(frozen=True)
class ActionOutcome:
    """What an action did: a level and a sentence for people, the per-region details."""

    level: Level
    message: str
    items: list[RegionOutcome] = field(default_factory=list)
    # The identity's set of regions changed (an add): pages redraw their region list.
    regions_changed: bool = False

    @property
    def ok(self) -> bool:
        return self.level != "error"


@dataclass(frozen=True)
class DkimChoice:
    """How new regions of a domain sign: SES's Easy DKIM, a DEED parent's keys, or BYODKIM."""

    mode: DkimMode = "easy"
    parent: Region | None = None  # deed: the region whose DKIM records the new ones reuse
    selector: str = ""  # byodkim
    private_key: str = ""  # byodkim: base64 body, PEM armour and whitespace removed

    def __post_init__(self) -> None:
        if self.mode == "deed" and self.parent is None:
            raise ValueError("DEED needs the parent region whose DKIM records to reuse")
        if self.mode == "byodkim" and not (self.selector and self.private_key):
            raise ValueError("BYODKIM needs a selector and a private key")

    def create_options(self) -> dict[str, str]:
        """CreateEmailIdentity keyword arguments for this choice."""
        if self.mode == "deed" and self.parent is not None:  # always set: see __post_init__
            return {"dkim_origin": deed_origin(self.parent.code)}
        if self.mode == "byodkim":
            return {"byodkim_selector": self.selector, "byodkim_private_key": self.private_key}
        return {}
