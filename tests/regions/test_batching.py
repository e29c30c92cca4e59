"""Items cut into bounded lists, lazily (regions/batching.py)."""

from __future__ import annotations

from regions.batching import batches


def test_items_come_in_lists_of_at_most_the_size_in_order():
    assert list(batches(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


def test_only_the_batch_handed_out_is_taken_from_the_source():
    taken = []

    def source():
        for n in range(10):
            taken.append(n)
            yield n

    first = next(batches(source(), 4))

    assert first == [0, 1, 2, 3]
    assert taken == [0, 1, 2, 3]
