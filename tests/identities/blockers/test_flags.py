"""The stored blocking flag (identities/blockers/flags.py): equal to the engine's verdict on every
state, kept by every writer, and computed by the grid when it was never written."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities.blockers.flags import (
    refresh_blocking,
    refresh_unknown,
    region_blocks,
    set_flags_in_region,
)
from identities.blockers.states import cells_for, region_state
from identities.models import DnsCheck, Identity, RegionalIdentity
from identities.sync.run import sync_region
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)
from tests.identities.ses_backends import region_for
from tests.names import unbreak_names

pytestmark = pytest.mark.django_db

# Every value the engine reads, in combinations: 4 x 3 x 2 x 4 x 3 x 2 = 576 states, each for a
# domain, an address, and an address under a verified domain: 1,728 rows.
VERIFICATION = [
    ("SUCCESS", True),
    ("PENDING", False),
    ("FAILED", False),
    ("TEMPORARY_FAILURE", True),
]
SENDING = [True, False, None]
DKIM = [("SUCCESS", True), ("FAILED", True)]
MAIL_FROM = [
    ("", "", ""),
    ("m.{d}", "SUCCESS", "REJECT_MESSAGE"),
    ("m.{d}", "FAILED", "REJECT_MESSAGE"),
    ("m.{d}", "PENDING", "USE_DEFAULT_VALUE"),
]
DNS = [None, ("dkim", "missing", "blocking"), ("mail_from_mx", "wrong_value", "blocking")]
PRESENT = [True, False]


def _engine_blocked(rows: list[RegionalIdentity], region) -> dict[int, bool]:
    identities = list(Identity.objects.filter(regional__in=rows).select_related("account"))
    cells = cells_for(identities, [region])
    return {
        ri.pk: ri.present and cells[(ri.identity_id, region.pk)].status == "blocked" for ri in rows
    }


def test_the_flag_is_the_engines_verdict_for_every_state_in_a_healthy_region():
    region = RegionFactory(account=AwsAccountFactory(label="prod"), code="us-east-1")
    # A verified domain, so addresses under it are verified through it ("via.example").
    via = IdentityFactory(account=region.account, name="via.example")
    RegionalIdentityFactory(identity=via, region=region)
    # Built in memory and written with three bulk INSERTs (one per table): 1,728 rows one
    # factory call at a time cost seconds of round trips.
    identities, rows, checks = [], [], []
    combos = itertools.product(VERIFICATION, SENDING, DKIM, MAIL_FROM, DNS, PRESENT)
    for n, (verif, sending, dkim, mail_from, dns, present) in enumerate(combos):
        for name in (f"d{n}.example", f"a{n}@example.net", f"b{n}@via.example"):
            identity = IdentityFactory.build(account=region.account, name=name)
            identities.append(identity)
            rows.append(
                RegionalIdentityFactory.build(
                    identity=identity,
                    region=region,
                    present=present,
                    verification_status=verif[0],
                    verified_for_sending=verif[1],
                    sending_enabled=sending,
                    dkim_status=dkim[0],
                    dkim_signing_enabled=dkim[1],
                    mail_from_domain=mail_from[0].format(d=identity.domain),
                    mail_from_status=mail_from[1],
                    mail_from_behavior=mail_from[2],
                )
            )
            if dns and not identity.is_email:
                checks.append(
                    DnsCheckFactory.build(
                        regional_identity=rows[-1], purpose=dns[0], verdict=dns[1], severity=dns[2]
                    )
                )
    Identity.objects.bulk_create(identities)
    for ri in rows:
        ri.identity = ri.identity  # re-read the saved identity's pk into identity_id
    RegionalIdentity.objects.bulk_create(rows)
    for check in checks:
        check.regional_identity = check.regional_identity
    DnsCheck.objects.bulk_create(checks)

    written = refresh_blocking(ri.pk for ri in rows)

    stored = dict(
        RegionalIdentity.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "blocking")
    )
    expected = _engine_blocked(rows, region)
    assert stored == expected
    assert written == len(rows)  # NULL -> a value, every one
    # The combinations reach both answers for both kinds, through every blocking rule.
    assert sum(expected.values()) > 100 and sum(not v for v in expected.values()) > 100
    assert refresh_blocking(ri.pk for ri in rows) == 0  # nothing moved: nothing written
    # The sync's in-memory path gives the same answers (the rows of one region, by name).
    in_memory = {
        ri.identity.name: ri
        for ri in RegionalIdentity.objects.filter(region=region).select_related("identity")
    }
    for ri in in_memory.values():
        ri.blocking = None
    set_flags_in_region(in_memory, [])
    assert {ri.pk: ri.blocking for ri in in_memory.values() if ri.pk in expected} == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"enforcement_status": "SHUTDOWN"},
        {"sending_enabled": False},
        {"max_24_hour_send": 200.0, "sent_last_24_hours": 200.0},
    ],
)
def test_account_states_block_the_region_not_the_rows(fields):
    region = RegionFactory(code="eu-west-1", **fields)
    ri = RegionalIdentityFactory(identity=IdentityFactory(account=region.account), region=region)
    refresh_blocking([ri.pk])
    ri.refresh_from_db()
    assert ri.blocking is False  # the row itself is fine ...
    assert region_blocks(region_state(region))  # ... the region blocks every row
    assert _engine_blocked([ri], region)[ri.pk] is True


def test_an_address_flag_follows_its_own_status_not_its_verified_domain():
    """SES applies the most specific identity: a pending address identity is blocked even
    under a verified domain, and a domain's change moves no address's flag."""
    acc = AwsAccountFactory(label="prod")
    use1 = RegionFactory(account=acc, code="us-east-1")
    euw1 = RegionFactory(account=acc, code="eu-west-1")
    domain = RegionalIdentityFactory(
        identity=IdentityFactory(account=acc, name="ex.com"), region=use1
    )
    unverified = {"verification_status": "PENDING", "verified_for_sending": False}
    address = IdentityFactory(account=acc, name="ops@ex.com")
    here = RegionalIdentityFactory(identity=address, region=use1, **unverified)
    there = RegionalIdentityFactory(identity=address, region=euw1, **unverified)
    refresh_unknown()
    assert _flags(domain, here, there) == [False, True, True]

    RegionalIdentity.objects.filter(pk=domain.pk).update(
        verification_status="FAILED", verified_for_sending=False
    )
    assert refresh_blocking([domain.pk]) == 1  # the domain only
    assert _flags(domain, here, there) == [True, True, True]


def _flags(*rows: RegionalIdentity) -> list[bool | None]:
    by_pk = dict(RegionalIdentity.objects.values_list("pk", "blocking"))
    return [by_pk[r.pk] for r in rows]


def test_the_sync_writes_the_flag_of_every_row_it_creates_or_changes(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com", "example.org")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    rows = RegionalIdentity.objects.filter(region=region)
    assert dict(rows.values_list("identity__name", "blocking")) == {
        "ops@example.com": True,  # waiting for the click
        "example.org": True,  # waiting for DNS
    }

    emulator_backend.set_status("us-east-1", "ops@example.com", "SUCCESS")
    with CaptureQueriesContext(connection) as ctx:
        sync_region(region, trigger="test")

    assert dict(rows.values_list("identity__name", "blocking")) == {
        "ops@example.com": False,
        "example.org": True,
    }
    updates = [q["sql"] for q in ctx.captured_queries if 'SET "blocking"' in q["sql"]]
    ops = rows.get(identity__name="ops@example.com").pk
    # One UPDATE, of the changed row only (the sync's own bulk write, no read-back).
    assert len(updates) == 1 and updates[0].endswith(f'"id" IN ({ops})')


def test_the_sync_computes_flags_left_unknown_in_its_region(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    region = region_for(emulator_backend)
    sync_region(region, trigger="test")
    RegionalIdentity.objects.update(blocking=None)  # as right after the migration

    sync_region(region, trigger="test")  # nothing changed in SES

    assert list(RegionalIdentity.objects.values_list("blocking", flat=True)) == [True]


def test_the_grid_computes_unknown_flags_once(viewer_client):
    region = RegionFactory(code="us-east-1")
    pending = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="new@example.com"),
        region=region,
        verification_status="PENDING",
        verified_for_sending=False,
    )
    assert pending.blocking is None  # written by other means than the writers

    html = unbreak_names(viewer_client.get("/", {"blocking": "1"}).content.decode())

    assert "new@example.com" in html
    pending.refresh_from_db()
    assert pending.blocking is True
    with CaptureQueriesContext(connection) as ctx:
        viewer_client.get("/", {"blocking": "1"})
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]


def test_dns_checks_change_only_the_domains_own_flag():
    region = RegionFactory(code="us-east-1")
    domain = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="ex.com"),
        region=region,
        verification_status="PENDING",
        verified_for_sending=False,
    )
    check = DnsCheckFactory(regional_identity=domain, verdict="missing")
    refresh_unknown()
    assert _flags(domain) == [True]
    DnsCheck.objects.filter(pk=check.pk).update(verdict="ok")
    RegionalIdentity.objects.filter(pk=domain.pk).update(
        verification_status="SUCCESS", verified_for_sending=True
    )
    assert refresh_blocking([domain.pk]) == 1
    assert _flags(domain) == [False]


def test_migrate_computes_the_flags_it_leaves_unknown():
    region = RegionFactory(code="us-east-1")
    rows = [
        RegionalIdentityFactory(identity=IdentityFactory(account=region.account), region=region),
        RegionalIdentityFactory(
            identity=IdentityFactory(account=region.account),
            region=region,
            verification_status="FAILED",
            verified_for_sending=False,
        ),
    ]
    assert _flags(*rows) == [None, None]  # as the migration that adds the flag leaves them

    call_command("migrate", verbosity=0)

    assert _flags(*rows) == [False, True]


def test_the_syncs_in_memory_path_judges_addresses_by_their_own_status():
    region = RegionFactory(code="us-east-1")
    domain = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="ex.com"), region=region
    )
    unverified = {"verification_status": "PENDING", "verified_for_sending": False}
    address = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="ops@ex.com"),
        region=region,
        **unverified,
    )
    other = RegionalIdentityFactory(
        identity=IdentityFactory(account=region.account, name="ops@other.com"),
        region=region,
        **unverified,
    )
    rows = {ri.identity.name: ri for ri in (domain, address, other)}
    moved = set_flags_in_region(rows, [])  # unknown flags are computed whatever changed
    assert {ri.identity.name: ri.blocking for ri in moved} == {
        "ex.com": False,
        "ops@ex.com": True,  # its own identity decides, not the verified ex.com
        "ops@other.com": True,
    }

    domain.verification_status, domain.verified_for_sending = "FAILED", False
    moved = set_flags_in_region(rows, [domain])

    assert {ri.identity.name: ri.blocking for ri in moved} == {"ex.com": True}
    assert set_flags_in_region(rows, [domain]) == []  # nothing moved since
