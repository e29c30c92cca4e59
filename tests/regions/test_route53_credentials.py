"""Route 53 under the account's own credentials, or under its separate DNS profile."""

from __future__ import annotations

import pytest

from emulator.testing import run_emulator
from regions import route53
from regions.models import AwsAccount
from regions.route53 import route53_for

pytestmark = pytest.mark.django_db
SES_KEY, DNS_KEY = "AKIASESACCOUNT000001", "AKIADNSACCOUNT000001"
SCENARIO = {
    "zones": [
        {
            "origin": "example.com",
            "nameservers": {"ns1.dns.example": "127.0.0.2"},
            "hosted_zone": {"account": "999999999999"},
        }
    ],
    "accounts": [
        {"id": "111111111111", "access_keys": [SES_KEY]},
        {"id": "999999999999", "access_keys": [DNS_KEY]},  # the DNS account
    ],
}


@pytest.fixture
def emu(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(route53, "RATE", 0)
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[ses]\naws_access_key_id = {SES_KEY}\naws_secret_access_key = x\n"
        f"[dns]\naws_access_key_id = {DNS_KEY}\naws_secret_access_key = x\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    route53.clear_client_cache()
    with run_emulator(SCENARIO) as running:
        monkeypatch.setenv("AWS_ENDPOINT_URL", running.url)
        yield running
    route53.clear_client_cache()


def test_it_uses_the_accounts_own_profile_without_a_dns_one(emu) -> None:
    account = AwsAccount.objects.create(label="prod", profile_name="ses")
    assert route53_for(account).find_zones("example.com") == []  # the zone is elsewhere


def test_a_dns_profile_reaches_the_account_that_holds_the_zones(emu) -> None:
    account = AwsAccount.objects.create(label="prod", profile_name="ses", dns_profile_name="dns")
    (zone,) = route53_for(account).find_zones("www.example.com")
    assert (zone.name, zone.account, zone.nameservers) == (
        "example.com",
        "prod",
        ("ns1.dns.example",),
    )
