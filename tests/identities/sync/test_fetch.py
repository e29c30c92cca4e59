"""The call plan's MAIL FROM batches: which names count as answered when a batch fails
(identities/sync/fetch.py)."""

from __future__ import annotations

import pytest

from identities.sync.fetch import read_region
from regions.ses_types import EMAIL, IdentitySummary, SesError
from tests.fake_ses import FakeSes

NAMES = [f"u{i}@example.com" for i in range(250)]  # three MAIL FROM batches: 100, 100, 50


def _client_failing_batch(second_batch_error: SesError):
    fake = FakeSes()
    fake.identities = [IdentitySummary(n, EMAIL, True, "SUCCESS") for n in NAMES]
    client = fake.client_for(None, "us-east-1")
    real = client.get_mail_from_attributes

    def get_mail_from_attributes(names):
        names = list(names)
        if "u100@example.com" in names:
            client._call("get_mail_from_attributes", names)
            raise second_batch_error
        return real(names)

    client.get_mail_from_attributes = get_mail_from_attributes
    return fake, client


def test_a_throttled_mail_from_batch_leaves_only_its_own_names_unanswered():
    fake, client = _client_failing_batch(SesError("Throttling", "slow down", permanent=False,
                                                  throttled=True))  # fmt: skip

    snap = read_region(client, lambda names: {})

    assert len(fake.ops("get_mail_from_attributes")) == 3  # the batch after it is still read
    assert snap.mail_from_answered("u0@example.com")
    assert snap.mail_from_answered("u99@example.com")
    assert not snap.mail_from_answered("u100@example.com")
    assert not snap.mail_from_answered("u199@example.com")
    assert snap.mail_from_answered("u200@example.com")
    assert snap.errors


@pytest.mark.parametrize("code", ["ServiceUnavailable", "RequestTimeout"])
def test_a_region_that_stops_answering_leaves_every_later_name_unanswered(code):
    fake, client = _client_failing_batch(SesError(code, "down", permanent=False))

    snap = read_region(client, lambda names: {})

    assert len(fake.ops("get_mail_from_attributes")) == 2  # no call after the region went down
    assert snap.mail_from_answered("u99@example.com")
    assert not snap.mail_from_answered("u100@example.com")
    assert not snap.mail_from_answered("u249@example.com")


def test_an_identity_read_in_detail_is_not_taken_as_answered_by_the_batches():
    fake = FakeSes()
    fake.identities = [
        IdentitySummary("ok@example.com", EMAIL, True, "SUCCESS"),
        IdentitySummary("new@example.com", EMAIL, True, "PENDING"),  # first seen: detailed
    ]
    client = fake.client_for(None, "us-east-1")

    snap = read_region(client, lambda names: {})

    assert [names for _region, names in fake.ops("get_mail_from_attributes")] == [
        ["ok@example.com"]
    ]
    assert snap.mail_from_answered("ok@example.com")
    assert not snap.mail_from_answered("new@example.com")
