"""The service stores DnsCheck rows, writes events on verdict changes and a SyncRun."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from emulator.dns_server import DnsServerHandle
from emulator.zones import ZoneStore
from identities.dns.names import InvalidResolverSetting
from identities.dns.service import UnknownDomain, probe_all, probe_domain
from identities.models import DnsCheck, Identity, RegionalIdentity
from identities.tasks import probe_dns_task
from regions.models import Event, SyncRun
from tests.factories import IdentityFactory, RegionalIdentityFactory, RegionFactory


@pytest.fixture
def dns_settings(settings, dns_server: DnsServerHandle):
    settings.SESOPS_DNS_RESOLVER = f"127.0.0.1:{dns_server.port}"
    settings.SESOPS_DNS_PORT = dns_server.port
    settings.SESOPS_DNS_TIMEOUT = (
        1.5  # generous: a loaded CI machine must not turn answers into timeouts
    )
    settings.SESOPS_DNS_CONCURRENCY = 4
    settings.SESOPS_DNS_EXTRA_NAMESERVERS = []
    return settings


@pytest.fixture
def domain(db):
    identity = IdentityFactory(name="example.com", kind=Identity.Kind.DOMAIN)
    return RegionalIdentityFactory(
        identity=identity,
        region=RegionFactory(account=identity.account, code="us-east-1"),
        dkim_tokens=["aaa", "bbb", "ccc"],
        dkim_origin="AWS_SES",
        dkim_status="SUCCESS",
        mail_from_domain="mail.example.com",
        mail_from_status="PENDING",
    )


def publish(zones: ZoneStore) -> None:
    for t in ("aaa", "bbb", "ccc"):
        zones.add_record(f"{t}._domainkey.example.com", "CNAME", f"{t}.dkim.amazonses.com")
    zones.add_record("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com")
    zones.add_record("mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all")


def test_it_stores_a_check_per_record_with_answers_and_a_run(zones, dns_settings, domain) -> None:
    publish(zones)
    outcome = probe_domain("example.com", trigger="tester")
    checks = {(c.purpose, c.name): c for c in DnsCheck.objects.filter(regional_identity=domain)}
    assert len(checks) == 6
    dkim = checks[("dkim", "aaa._domainkey.example.com")]
    assert (dkim.verdict, dkim.rtype, dkim.expected, dkim.severity) == (
        "ok",
        "CNAME",
        "aaa.dkim.amazonses.com",
        "blocking",
    )
    assert dkim.answers["ns2.dns.test"] == {
        "address": "127.0.0.3",
        "status": "ok",
        "rtype": "CNAME",
        "values": ["aaa.dkim.amazonses.com"],
        "ttl": 300,
    }
    dmarc = checks[("dmarc", "_dmarc.example.com")]
    assert (dmarc.verdict, dmarc.severity) == ("missing", "warning")
    run = outcome.run
    assert (run.kind, run.status, run.trigger, run.identities) == ("dns", "succeeded", "tester", 1)
    assert run.calls > 0 and run.finished_at is not None
    # First probe: only the record that is not ok is news.
    events = list(Event.objects.filter(kind=Event.Kind.DNS))
    assert [(e.subject, e.before, e.after) for e in events] == [("dns dmarc TXT", "new", "missing")]
    assert events[0].identity_name == "example.com" and events[0].region == domain.region
    domain.refresh_from_db()
    assert domain.blocking is False  # the probe keeps the grid's flag (verified: sends)


def test_verdict_changes_write_events_and_unchanged_ones_do_not(
    zones, dns_settings, domain
) -> None:
    publish(zones)
    probe_all()
    first = DnsCheck.objects.get(name="bbb._domainkey.example.com")
    zones.remove_records("bbb._domainkey.example.com")
    outcome = probe_all()
    check = DnsCheck.objects.get(name="bbb._domainkey.example.com")
    assert check.pk == first.pk and check.verdict == "missing"
    assert "SES still says verified" in check.diagnosis and check.changed_at > first.changed_at
    assert outcome.run.changes == 1
    event = Event.objects.filter(kind=Event.Kind.DNS).first()
    assert (event.before, event.after, event.actor_name) == ("ok", "missing", "beat")
    assert event.message.startswith("bbb._domainkey.example.com: ")
    probe_all()
    assert Event.objects.filter(kind=Event.Kind.DNS).count() == 2  # nothing new


def test_records_no_longer_expected_are_dropped(zones, dns_settings, domain) -> None:
    probe_all()
    domain.mail_from_domain = ""
    domain.save()
    probe_all()
    assert not DnsCheck.objects.filter(purpose__startswith="mail_from").exists()
    assert DnsCheck.objects.count() == 4


def test_unknown_answers_make_a_partial_run(zones, dns_settings, domain) -> None:
    publish(zones)
    zones.set_fault("_dmarc.example.com", "servfail")
    outcome = probe_all()
    assert outcome.run.status == SyncRun.Status.PARTIAL
    assert DnsCheck.objects.get(purpose="dmarc").verdict == "unknown"


def test_bad_input_is_a_clear_error(zones, dns_settings, domain) -> None:
    with pytest.raises(UnknownDomain, match=r"no domain identity named 'other\.com'"):
        probe_domain("other.com")
    with pytest.raises(UnknownDomain, match=r"'nope\.example'"):
        probe_all(domains=["example.com", "nope.example"])
    dns_settings.SESOPS_DNS_RESOLVER = "resolver.example:53"
    with pytest.raises(InvalidResolverSetting, match="not an IP address"):
        probe_all()
    assert not SyncRun.objects.exists()


def test_an_identity_with_broken_data_does_not_stop_the_others(zones, dns_settings, domain) -> None:
    publish(zones)
    broken = RegionalIdentityFactory(
        identity=IdentityFactory(name="bad name.example", kind=Identity.Kind.DOMAIN)
    )
    outcome = probe_all()
    assert "not a valid DNS name" in outcome.errors[broken.pk]
    assert outcome.run.status == SyncRun.Status.PARTIAL
    assert DnsCheck.objects.filter(regional_identity=domain).count() == 6


def test_the_command_prints_a_summary_per_domain(zones, dns_settings, domain, capsys) -> None:
    publish(zones)
    call_command("probe_dns", "--domain", "example.com")
    out = capsys.readouterr().out
    assert "example.com account-" in out and "us-east-1: 5 ok, 1 missing" in out
    assert "missing (warning): _dmarc.example.com TXT" in out
    assert "probe succeeded: 1 regional identities" in out  # exit 0: DMARC is a warning
    with pytest.raises(CommandError, match=r"no domain identity named 'nope\.example'") as bad:
        call_command("probe_dns", "--domain", "nope.example")
    assert bad.value.returncode == 2
    with pytest.raises(CommandError, match="not a valid DNS name") as bad:
        call_command("probe_dns", "--domain", "bad name.example")
    assert bad.value.returncode == 2


def test_the_command_exits_1_when_a_required_record_is_wrong(
    zones, dns_settings, domain, capsys
) -> None:
    publish(zones)
    zones.remove_records("bbb._domainkey.example.com")
    with pytest.raises(SystemExit) as exited:
        call_command("probe_dns")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "missing: bbb._domainkey.example.com CNAME" in out
    assert out.rstrip().endswith("1 required records to fix.")


def test_the_command_exits_3_when_records_could_not_be_checked(
    zones, dns_settings, domain, capsys
) -> None:
    publish(zones)
    zones.set_fault("_dmarc.example.com", "servfail")
    with pytest.raises(SystemExit) as exited:
        call_command("probe_dns")
    assert exited.value.code == 3
    assert "1 records could not be checked" in capsys.readouterr().out


def test_the_command_probes_an_idn_domain_as_punycode_and_says_so(
    db, zones, dns_settings, capsys
) -> None:
    identity = IdentityFactory(name="xn--bcher-kva.example", kind=Identity.Kind.DOMAIN)
    RegionalIdentityFactory(identity=identity)
    zones.add_zone("xn--bcher-kva.example", {"ns1.dns.test": "127.0.0.2"})
    zones.add_record("_dmarc.xn--bcher-kva.example", "TXT", "v=DMARC1; p=none")
    call_command("probe_dns", "--domain", "Bücher.example")
    out = capsys.readouterr().out
    assert "probed as 'xn--bcher-kva.example' (punycode)" in out
    assert "xn--bcher-kva.example account-" in out and ": 1 ok" in out


def test_the_task_body_probes_and_returns_the_run_status(zones, dns_settings, domain) -> None:
    publish(zones)
    assert probe_dns_task.run(trigger="beat") == "succeeded"
    assert SyncRun.objects.get().kind == SyncRun.Kind.DNS


def test_another_regions_published_tokens_are_pointed_out(zones, dns_settings, domain) -> None:
    publish(zones)
    eu = _eu_west_1(domain)
    probe_all()
    check = DnsCheck.objects.get(regional_identity=eu, name="eee._domainkey.example.com")
    assert check.verdict == "missing"
    assert "The DKIM CNAMEs of us-east-1 are published, but each region has its own tokens" in (
        check.diagnosis
    )
    assert "DEED replica of us-east-1" in check.diagnosis
    assert (
        not DnsCheck.objects.filter(regional_identity=domain)
        .exclude(diagnosis="")
        .filter(diagnosis__contains="own tokens")
    )


def test_the_command_says_a_shared_diagnosis_once_per_region(
    zones, dns_settings, domain, capsys
) -> None:
    publish(zones)
    RegionalIdentityFactory(
        identity=domain.identity,
        region=RegionFactory(account=domain.identity.account, code="eu-west-1"),
        dkim_tokens=["eee", "fff", "ggg"],
        dkim_origin="AWS_SES",
    )
    with pytest.raises(SystemExit):
        call_command("probe_dns", "--domain", "example.com")
    out = capsys.readouterr().out
    assert out.count("each region has its own tokens") == 1
    assert "diagnosis (3 records):" in out
    for token in ("eee", "fff", "ggg"):
        assert f"missing: {token}._domainkey.example.com CNAME" in out


def test_a_deed_replica_is_suggested_only_of_a_parent_ses_would_accept(
    zones, dns_settings, domain
) -> None:
    publish(zones)
    RegionalIdentity.objects.filter(pk=domain.pk).update(verification_status="PENDING")
    eu = _eu_west_1(domain)
    probe_all()
    check = DnsCheck.objects.get(regional_identity=eu, name="eee._domainkey.example.com")
    assert "each region has its own tokens" in check.diagnosis
    assert "DEED" not in check.diagnosis


def test_one_published_cname_of_three_is_not_a_published_region(
    zones, dns_settings, domain
) -> None:
    zones.add_record("aaa._domainkey.example.com", "CNAME", "aaa.dkim.amazonses.com")
    eu = _eu_west_1(domain)
    probe_all()
    check = DnsCheck.objects.get(regional_identity=eu, name="eee._domainkey.example.com")
    assert "own tokens" not in check.diagnosis and "DEED" not in check.diagnosis


def _eu_west_1(domain):
    """The same domain in eu-west-1, with tokens of its own."""
    return RegionalIdentityFactory(
        identity=domain.identity,
        region=RegionFactory(account=domain.identity.account, code="eu-west-1"),
        dkim_tokens=["eee", "fff", "ggg"],
        dkim_origin="AWS_SES",
    )


def test_a_crash_never_exits_with_the_records_to_fix_code(
    zones, dns_settings, domain, monkeypatch
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("resolver exploded")

    monkeypatch.setattr("identities.management.commands.probe_dns.probe_all", boom)
    with pytest.raises(CommandError) as crashed:
        call_command("probe_dns")
    assert crashed.value.returncode == 4
    assert "resolver exploded" in str(crashed.value)


def test_one_domains_failure_does_not_abort_the_probe_of_others(
    zones, dns_settings, domain, monkeypatch
) -> None:
    """A domain whose judging raises is reported as an error; the others are stored."""
    from identities.dns import service

    other = RegionalIdentityFactory(
        identity=IdentityFactory(account=domain.identity.account, name="other.example"),
        region=domain.region,
    )
    real = service.judge_domain

    def judge(records, probes, ses=None, note=""):
        if records and records[0].name.endswith("other.example"):
            raise RuntimeError("bad data")
        return real(records, probes, ses, note)

    monkeypatch.setattr(service, "judge_domain", judge)
    publish(zones)
    outcome = probe_all()
    assert "bad data" in outcome.errors[other.pk]
    assert DnsCheck.objects.filter(regional_identity=domain).count() == 6
