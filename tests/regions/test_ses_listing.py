"""The compact listing a sync holds through its paced calls (regions/ses_listing.py)."""

from __future__ import annotations

import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from regions.ses_listing import Listing
from regions.ses_types import DOMAIN, EMAIL, IdentitySummary

summaries = st.builds(
    IdentitySummary,
    name=st.text(max_size=40),
    kind=st.sampled_from([EMAIL, DOMAIN, "SOMETHING_NEW"]),
    sending_enabled=st.sampled_from([True, False, None]),
    verification_status=st.sampled_from(["SUCCESS", "PENDING", "FAILED", "", "odd"]),
)


@given(st.lists(summaries, max_size=2500))
def test_a_listing_gives_back_every_identity_in_order(items):
    listing = Listing(items)

    assert list(listing) == items
    assert len(listing) == len(items)
    assert bool(listing) == bool(items)


def test_a_name_holding_the_page_separator_stays_whole():
    items = [
        IdentitySummary("a\nb@example.com", EMAIL, True, "SUCCESS"),
        IdentitySummary("c@example.com", EMAIL, True, "PENDING"),
    ]

    assert [i.name for i in Listing(items)] == ["a\nb@example.com", "c@example.com"]


def test_an_empty_listing_is_empty_and_equals_an_empty_list():
    assert Listing() == []
    assert not Listing()
    assert list(Listing()) == []


def test_a_listing_holds_far_less_than_its_identities_as_objects():
    def held(build) -> int:
        tracemalloc.start()
        try:
            kept = build()  # noqa: F841 - measured while alive
            return tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    def items():
        return (
            IdentitySummary(f"user{i}@team{i % 50}.example.com", EMAIL, True, "SUCCESS")
            for i in range(10_000)
        )

    as_objects = held(lambda: list(items()))
    compact = held(lambda: Listing(items()))

    assert compact * 3 < as_objects, (compact, as_objects)
