"""What a sync keeps on disk while it waits on SES (identities/sync/spill.py)."""

from __future__ import annotations

import tempfile

from identities.sync import spill as spill_module
from identities.sync.fetch import read_region
from identities.sync.spill import Spill
from regions.ses_types import DOMAIN, EMAIL, IdentityDetails, IdentitySummary
from tests.fake_ses import FakeSes


def test_records_come_back_in_order_once():
    spill = Spill()
    for n in range(300):
        spill.add((f"n{n}", IdentityDetails(f"n{n}", EMAIL, dkim_tokens=("a", "b"))))

    back = spill.take()

    assert [name for name, _ in back] == [f"n{n}" for n in range(300)]
    assert back[7][1] == IdentityDetails("n7", EMAIL, dkim_tokens=("a", "b"))
    assert spill.take() == []


def test_a_disk_that_refuses_keeps_the_records_in_memory(monkeypatch):
    def refuse(*_a, **_kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill_module.tempfile, "TemporaryFile", refuse)
    spill = Spill()

    spill.add(("a", 1))
    spill.add(("b", 2))

    assert spill.take() == [("a", 1), ("b", 2)]


def test_a_fetch_keeps_its_detail_answers_on_disk_until_the_write_loads_them(monkeypatch):
    opened = []
    real = tempfile.TemporaryFile

    def counted(*a, **kw):
        opened.append(real(*a, **kw))
        return opened[-1]

    monkeypatch.setattr(spill_module.tempfile, "TemporaryFile", counted)
    fake = FakeSes()
    fake.identities = [IdentitySummary("example.com", DOMAIN, True, "SUCCESS")]
    fake.details = {"example.com": IdentityDetails("example.com", DOMAIN, dkim_tokens=("t",))}
    client = fake.client_for(None, "us-east-1")

    snap = read_region(client, lambda names: {})

    assert snap.details == {}  # nothing in memory through the rest of the sync
    assert len(opened) == 1 and not opened[0].closed
    snap.load_details()
    assert snap.details == {"example.com": fake.details["example.com"]}
    assert opened[0].closed  # the temporary file is gone once read
