"""Items in lists of at most `size`, cut lazily: only the list being handed out is held (a
region's 10,000 identity names for SES's 100-name batches, a query's rows, ids for a
bounded `IN (...)`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
