"""A region's ListEmailIdentities answer, held compactly while a sync waits on SES.

A sync keeps its listing from the first page until its write, through every paced call in
between: at 10,000 identities that is ~2 minutes at SES's 1 request/s, and a worker process
runs 50 such syncs at once (docs/sync-concurrency.md). As 10,000 `IdentitySummary` objects
with their own name strings a listing costs ~1.5 MB; here each page of names is one string
and each identity's type, status and SendingEnabled a two-byte code (~0.3 MB). Iterating yields
the same `IdentitySummary` values, built on the way (~0.5 us each).
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Iterator

from regions.ses_types import IdentitySummary

_SEP = "\n"
_PAGE = 1000  # identities packed together (ListEmailIdentities' page size)

# (kind, sending_enabled, verification_status): a handful of combinations in practice.
_Look = tuple[str, bool | None, str]


class Listing(Collection[IdentitySummary]):
    """Every identity of one listing, in SES's order; immutable once built."""

    __slots__ = ("_looks", "_pages", "_size")

    def __init__(self, items: Iterable[IdentitySummary] = ()) -> None:
        self._looks: list[_Look] = []  # a code's meaning: its index here
        self._pages: list[tuple[str | tuple[str, ...], array]] = []
        self._size = 0
        codes: dict[_Look, int] = {}
        names: list[str] = []
        looks = array("H")
        for item in items:
            look = (item.kind, item.sending_enabled, item.verification_status)
            code = codes.get(look)
            if code is None:
                code = codes[look] = len(self._looks)
                self._looks.append(look)
            names.append(item.name)
            looks.append(code)  # OverflowError past 65,535 distinct looks: not SES's answer
            if len(names) == _PAGE:
                self._pack(names, looks)
                names, looks = [], array("H")
        if names:
            self._pack(names, looks)

    def _pack(self, names: list[str], looks: array) -> None:
        # A name holding the separator (SES would not list one; a broken answer might) keeps
        # its page as separate strings rather than be split in two.
        packed: str | tuple[str, ...] = (
            tuple(names) if any(_SEP in n for n in names) else _SEP.join(names)
        )
        self._pages.append((packed, looks))
        self._size += len(names)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[IdentitySummary]:
        looks = self._looks
        for packed, codes in self._pages:
            names = packed.split(_SEP) if isinstance(packed, str) else packed
            for name, code in zip(names, codes, strict=True):
                kind, sending, status = looks[code]
                yield IdentitySummary(name, kind, sending, status)

    def __contains__(self, item: object) -> bool:
        return any(item == mine for mine in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Listing | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, and not frozen-hashable

    def __repr__(self) -> str:
        return f"<Listing of {self._size} identities>"
