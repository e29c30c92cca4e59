"""`manage.py sync_ses` and `manage.py ses_report`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from identities.models import RegionalIdentity
from regions.models import SyncRun
from tests.identities.ses_backends import region_for

# Regions sync in threads: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sync_ses_syncs_regions_in_parallel_and_prints_a_summary(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com", "example.com")
    emulator_backend.add("eu-west-1", "ops@example.com")
    emulator_backend.region_fault("ap-southeast-2", down="5xx")
    for code in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        region_for(emulator_backend, code)

    with pytest.raises(CommandError, match="1 of 3 regions not synced") as raised:
        call_command("sync_ses", "--account", "emulator", stdout=(out := StringIO()))

    assert raised.value.returncode == 3  # README: a region failed, partial or skipped
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "region", "status", "identities", "changes", "calls", "throttled", "time", "errors",
    ]  # fmt: skip
    by_region = {line.split()[0]: line.split() for line in lines[1:4]}
    assert by_region["emulator/us-east-1"][1:3] == ["succeeded", "2"]
    assert by_region["emulator/eu-west-1"][1:3] == ["succeeded", "1"]
    assert by_region["emulator/ap-southeast-2"][1] == "failed"
    assert "ServiceUnavailable" in out.getvalue()
    assert SyncRun.objects.filter(trigger="command").count() == 3
    assert RegionalIdentity.objects.filter(region__account__label="emulator").count() == 3


def test_sync_ses_limits_itself_to_the_given_regions(emulator_backend):
    emulator_backend.add("eu-west-1", "ops@example.com")
    region_for(emulator_backend, "us-east-1")
    region_for(emulator_backend, "eu-west-1")

    output = _run("sync_ses", "--account", "emulator", "--region", "eu-west-1")

    assert "emulator/eu-west-1" in output
    assert "emulator/us-east-1" not in output
    assert SyncRun.objects.get().region.code == "eu-west-1"


def test_sync_ses_rejects_an_unknown_account_with_exit_status_2():
    with pytest.raises(
        CommandError, match="no account labelled 'nope' \\(known accounts: default\\)"
    ) as bad:
        _run("sync_ses", "--account", "nope")
    assert bad.value.returncode == 2  # bad input, as in every command (argparse's own code)


def test_sync_ses_rejects_a_region_where_ses_does_not_run_with_exit_status_2():
    with pytest.raises(CommandError, match="not an SES region: us-nowhere-9") as bad:
        _run("sync_ses", "--region", "us-east-1", "us-nowhere-9")
    assert bad.value.returncode == 2


def test_sync_ses_says_when_no_account_syncs_a_region(emulator_backend):
    region_for(emulator_backend, "us-east-1")
    with pytest.raises(CommandError, match="syncs sa-east-1"):
        _run("sync_ses", "--account", "emulator", "--region", "sa-east-1")


def test_ses_report_prints_one_json_object_per_regional_identity(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com", "example.com")
    emulator_backend.add("ap-southeast-2", "ops@example.com")
    region_for(emulator_backend, "us-east-1")
    region_for(emulator_backend, "ap-southeast-2")
    _run("sync_ses", "--account", "emulator")

    rows = json.loads(_run("ses_report", "--format", "json"))

    keyed = {(r["identity"], r["region"]): r for r in rows}
    assert set(keyed) == {
        ("example.com", "us-east-1"),
        ("ops@example.com", "us-east-1"),
        ("ops@example.com", "ap-southeast-2"),
    }
    address = keyed[("ops@example.com", "ap-southeast-2")]
    assert address["account"] == "emulator"
    assert address["kind"] == "EMAIL_ADDRESS"
    assert address["sandbox"] is True
    assert address["statuses"]["verification"] == "PENDING"
    assert keyed[("ops@example.com", "us-east-1")]["sandbox"] is False


def test_ses_report_table_has_a_line_per_regional_identity(emulator_backend):
    emulator_backend.add("us-east-1", "ops@example.com")
    region_for(emulator_backend, "us-east-1")
    _run("sync_ses", "--account", "emulator", "--region", "us-east-1")

    lines = _run("ses_report", "--region", "us-east-1").splitlines()

    assert lines[0].split()[:4] == ["account", "region", "identity", "kind"]
    assert lines[1].split()[:5] == ["emulator", "us-east-1", "ops@example.com", "email", "PENDING"]
    assert len(lines) == 2


def test_sync_ses_shows_steering_characters_in_its_table_visibly(emulator_backend):
    region = region_for(emulator_backend, "us-east-1")
    region.account.label = "ops\u202eteam"  # a label pasted from somewhere hostile
    region.account.save()

    output = _run("sync_ses", "--account", "ops\u202eteam")

    assert "ops<U+202E>team/us-east-1" in output
    assert "\u202e" not in output
