"""SES's own view beside ours, end to end in the emulator: the SOA serial SES saw at its last
check (GetEmailIdentity VerificationInfo.SOARecord, stored by the sync) against the serial
the zone's nameservers serve now (the DNS probe), on the identity page and in ses_report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from emulator.testing import RunningEmulator, run_emulator
from identities.dns.service import probe_all
from identities.models import RegionalIdentity
from identities.sync import fetch
from identities.sync.run import sync_region
from regions.models import AwsAccount, Region
from tests.route53_env import clear_clients, use_emulator

pytestmark = pytest.mark.django_db
ACCOUNT, KEY = "222222222222", "AKIASESLOOK000000001"
NS = {"ns1.dns.example": "127.0.0.2", "ns2.dns.example": "127.0.0.3"}
NOT_YET = (
    "SES had not looked since the zone changed when sesops last read its view; "
    "it re-checks on its own schedule."
)


@pytest.fixture
def world(monkeypatch, settings, tmp_path) -> Iterator[RunningEmulator]:
    data = {
        "zones": [{"origin": "look.example", "nameservers": NS}],
        "accounts": [
            {
                "id": ACCOUNT,
                "access_keys": [KEY],
                "regions": {
                    "us-east-1": {
                        "production": True,
                        "identities": [{"name": "look.example", "dkim": "missing"}],
                    }
                },
            }
        ],
    }
    # Every sync reads the pending domain again (as it does once its detail is an hour old).
    monkeypatch.setattr(fetch, "UNHEALTHY_DETAIL_MAX_AGE", timedelta(0))
    with run_emulator(data, dns_port=0) as emu:
        use_emulator(
            emu, access_key=KEY, monkeypatch=monkeypatch, settings=settings, tmp_path=tmp_path
        )
        account = AwsAccount.objects.create(label="prod", account_id=ACCOUNT)
        Region.objects.create(account=account, code="us-east-1")
        yield emu
    clear_clients()


def _sync() -> RegionalIdentity:
    sync_region(Region.objects.get(code="us-east-1"), trigger="test")
    return RegionalIdentity.objects.get(identity__name="look.example")


def _report() -> dict:
    out = StringIO()
    call_command("ses_report", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())
    return row["ses_look"]


def test_the_page_says_whether_ses_has_looked_since_the_zone_changed(
    world: RunningEmulator, viewer_client
) -> None:
    ri = _sync()
    seen = ri.verification_soa_serial
    assert seen == world.store.published_serial("look.example")
    assert ri.verification_soa_primary_ns == "ns1.dns.example"
    probe_all(trigger="test")
    page = reverse("identity_detail", args=[ri.identity_id])
    assert _report()["state"] == "looked"
    assert "SES has looked since the zone last changed." in viewer_client.get(page).text

    world.store.add_record("_dmarc.look.example", "TXT", '"v=DMARC1; p=none"')  # a fix
    probe_all(trigger="test")
    look = _report()
    assert (look["state"], look["ses_serial"], look["served_serial"]) == ("not_yet", seen, seen + 1)
    text = viewer_client.get(page).text
    assert NOT_YET in text
    assert f"(serial {seen}), as of sesops' read at " in text
    assert f"; the zone serves serial {seen + 1} now." in text

    _sync()  # the sync reads GetEmailIdentity: SES's last check saw the new serial
    assert _report()["state"] == "looked"


def test_nameservers_that_disagree_are_named_and_the_newest_serial_counts(
    world: RunningEmulator, viewer_client
) -> None:
    ri = _sync()
    seen = ri.verification_soa_serial
    world.store.add_record("_dmarc.look.example", "TXT", '"v=DMARC1"', servers=["ns2.dns.example"])
    probe_all(trigger="test")
    look = _report()
    assert look["served_by"] == {"ns1.dns.example": seen, "ns2.dns.example": seen + 1}
    assert (look["state"], look["served_serial"]) == ("not_yet", seen + 1)
    text = viewer_client.get(reverse("identity_detail", args=[ri.identity_id])).text
    assert "the nameservers differ" in text


def test_a_failed_domain_says_ses_stopped_looking(world: RunningEmulator) -> None:
    _sync()
    world.advance(73 * 3600)
    assert _sync().verification_status == "FAILED"
    world.store.add_record("_dmarc.look.example", "TXT", '"v=DMARC1; p=none"')
    probe_all(trigger="test")
    _sync()
    look = _report()
    assert look["state"] == "not_yet"
    assert "stopped looking when verification failed" in look["text"]


def test_before_any_probe_the_comparison_is_unknown_and_says_why(world: RunningEmulator) -> None:
    _sync()
    look = _report()
    assert (look["state"], look["served_serial"]) == ("unknown", None)
    assert "the zone's serial is not known yet (check DNS now)" in look["text"]


def test_ses_view_is_shown_as_of_sesops_read_which_a_sync_without_a_read_leaves_alone(
    world: RunningEmulator, viewer_client, monkeypatch
) -> None:
    from django.template.defaultfilters import date as date_filter
    from django.utils.timezone import localtime

    ri = _sync()
    read = ri.details_synced_at
    assert read is not None
    page = reverse("identity_detail", args=[ri.identity_id])
    stamp = date_filter(localtime(read), "Y-m-d H:i T")
    assert f"as of sesops' read at {stamp}" in viewer_client.get(page).text

    # The pending domain is read again only when its status changes or hourly: not now.
    monkeypatch.setattr(fetch, "UNHEALTHY_DETAIL_MAX_AGE", timedelta(hours=1))
    assert _sync().details_synced_at == read
    text = viewer_client.get(page).text
    assert f"as of sesops' read at {stamp}" in text
    assert "sesops reads SES&#x27;s view again when the verification status changes, or hourly" in (
        text
    )
    assert _report()["read_at"] is not None
