"""Alerts follow the DNS probe's writes: a required record that disappears while SES still
says verified is a revocation warning, written with the probe's DnsCheck rows."""

from __future__ import annotations

import pytest

from alerts.models import Alert, Kind
from identities.dns.expected import ExpectedRecord
from identities.dns.service import store_verdicts
from identities.dns.verdict import RecordVerdict
from tests.factories import RegionalIdentityFactory, RuleFactory

pytestmark = pytest.mark.django_db
RECORD = ExpectedRecord(
    purpose="dkim",
    name="tok1._domainkey.example.com",
    rtype="CNAME",
    value="tok1.dkim.amazonses.com",
    blocking=True,
)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("alerts.routing.enqueue", lambda ids: None)


def test_a_dkim_record_gone_while_ses_says_success_warns_then_clears():
    RuleFactory()
    ri = RegionalIdentityFactory(identity__name="example.com", dkim_status="SUCCESS")
    store_verdicts(ri, [RecordVerdict(RECORD, "ok")], trigger="test")
    assert not Alert.objects.exists()

    store_verdicts(ri, [RecordVerdict(RECORD, "missing")], trigger="test")
    (alert,) = Alert.objects.filter(kind=Kind.DNS_REVOCATION)
    assert alert.state == "firing"
    assert "CNAME tok1._domainkey.example.com of example.com" in alert.text
    assert alert.deliveries.count() == 1

    store_verdicts(ri, [RecordVerdict(RECORD, "ok")], trigger="test")
    assert list(Alert.objects.filter(kind=Kind.DNS_REVOCATION).values_list("state", flat=True)) == [
        "resolved",
        "firing",
    ]
