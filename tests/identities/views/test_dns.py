"""The "check DNS now" action, the records partial and the zone-file download."""

from __future__ import annotations

import pytest

from identities.models import DnsCheck, Identity
from regions.models import Event
from tests.factories import (
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)


@pytest.fixture
def domain_ri(db):
    identity = IdentityFactory(name="example.com", kind=Identity.Kind.DOMAIN)
    return RegionalIdentityFactory(
        identity=identity,
        region=RegionFactory(account=identity.account, code="us-east-1"),
        dkim_tokens=["aaa", "bbb", "ccc"],
        dkim_origin="AWS_SES",
    )


@pytest.fixture
def probe_settings(settings, dns_server):
    settings.SESOPS_DNS_RESOLVER = f"127.0.0.1:{dns_server.port}"
    settings.SESOPS_DNS_PORT = dns_server.port
    settings.SESOPS_DNS_TIMEOUT = (
        1.5  # generous: a loaded CI machine must not turn answers into timeouts
    )
    return settings


def test_it_checks_now_and_swaps_in_the_table(operator_client, domain_ri, zones, probe_settings):
    zones.add_record("aaa._domainkey.example.com", "CNAME", "aaa.dkim.amazonses.com")
    url = f"/identities/{domain_ri.identity.pk}/dns/check/"
    response = operator_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dns-records"' in html
    assert "Checked 4 records" in html and "3 need attention" in html
    assert "aaa._domainkey.example.com" in html and "✓</span>OK" in html
    assert "ns1.dns.test" in html and "NXDOMAIN" in html
    assert "Only 1 of the 3 DKIM CNAMEs are published" in html
    assert "bbb._domainkey.example.com.\t1800\tIN\tCNAME\tbbb.dkim.amazonses.com." in html
    assert DnsCheck.objects.filter(regional_identity=domain_ri).count() == 4
    action = Event.objects.get(kind=Event.Kind.ACTION, subject="check_dns")
    assert action.actor_name == "operator" and action.result == "ok"


def test_without_htmx_it_redirects_to_the_identity_page(
    operator_client, domain_ri, zones, probe_settings
):
    response = operator_client.post(f"/identities/{domain_ri.identity.pk}/dns/check/")
    assert response.status_code == 302
    assert response["Location"] == f"/identities/{domain_ri.identity.pk}/"


def test_a_bad_resolver_setting_is_reported_not_raised(operator_client, domain_ri, settings):
    settings.SESOPS_DNS_RESOLVER = "not-an-ip"
    response = operator_client.post(
        f"/identities/{domain_ri.identity.pk}/dns/check/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "DNS check failed: SESOPS_DNS_RESOLVER=" in response.content.decode()
    assert Event.objects.get(subject="check_dns").result == "error"


def test_viewers_cannot_check_and_nothing_runs(viewer_client, domain_ri):
    response = viewer_client.post(f"/identities/{domain_ri.identity.pk}/dns/check/")
    assert response.status_code == 403
    assert not Event.objects.exists() and not DnsCheck.objects.exists()


def test_check_needs_post_and_a_domain(operator_client, domain_ri, db):
    assert operator_client.get(f"/identities/{domain_ri.identity.pk}/dns/check/").status_code == 405
    email = IdentityFactory(name="a@example.com")
    assert operator_client.post(f"/identities/{email.pk}/dns/check/").status_code == 404


def test_zone_file_download_lists_only_records_to_publish(viewer_client, domain_ri):
    DnsCheckFactory(
        regional_identity=domain_ri,
        name="aaa._domainkey.example.com",
        expected="aaa.dkim.amazonses.com",
        verdict="ok",
    )
    DnsCheckFactory(
        regional_identity=domain_ri,
        name="bbb._domainkey.example.com",
        expected="bbb.dkim.amazonses.com",
        verdict="missing",
    )
    DnsCheckFactory(
        regional_identity=domain_ri,
        purpose="mail_from_spf",
        name="mail.example.com",
        rtype="TXT",
        expected="v=spf1 include:amazonses.com ~all",
        verdict="wrong_value",
    )
    url = f"/identities/{domain_ri.identity.pk}/dns/zone-file/?region={domain_ri.region_id}"
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert 'filename="example.com-' in response["Content-Disposition"]
    body = response.content.decode()
    assert body.splitlines() == [
        "; Records SES still needs for example.com (us-east-1)",
        "bbb._domainkey.example.com.\t1800\tIN\tCNAME\tbbb.dkim.amazonses.com.",
        'mail.example.com.\t1800\tIN\tTXT\t"v=spf1 include:amazonses.com ~all"',
    ]


def test_zone_file_needs_login(client, domain_ri):
    response = client.get(f"/identities/{domain_ri.identity.pk}/dns/zone-file/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_identity_page_shows_the_records_table(operator_client, domain_ri):
    DnsCheckFactory(
        regional_identity=domain_ri,
        name="aaa._domainkey.example.com",
        expected="aaa.dkim.amazonses.com",
        verdict="partial",
        diagnosis="Served by ns1.dns.test only; ns2.dns.test answers NXDOMAIN.",
        answers={
            "ns1.dns.test": {
                "address": "127.0.0.2",
                "status": "ok",
                "rtype": "CNAME",
                "values": ["aaa.dkim.amazonses.com"],
                "ttl": 300,
            },
            "ns2.dns.test": {
                "address": "127.0.0.3",
                "status": "nxdomain",
                "rtype": "",
                "values": [],
                "ttl": 300,
            },
        },
    )
    response = operator_client.get(f"/identities/{domain_ri.identity.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dns-records"' in html and "Check DNS now" in html
    assert "◐</span>Some nameservers only" in html
    assert "CNAME aaa.dkim.amazonses.com" in html and "NXDOMAIN" in html
    assert (
        f"/identities/{domain_ri.identity.pk}/dns/zone-file/?region={domain_ri.region_id}" in html
    )
