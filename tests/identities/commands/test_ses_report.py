"""`ses_report` carries each regional identity's blockers; `--blocking-only` keeps the blocked."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from identities.models import RegionalIdentity
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    account = AwsAccountFactory(label="main")
    sandbox = RegionFactory(account=account, code="us-east-1", production_access_enabled=False)
    prod = RegionFactory(account=account, code="eu-west-1", production_access_enabled=True)
    ok = IdentityFactory(account=account, name="admin@mydomain.example")
    pending = IdentityFactory(account=account, name="new@other.example")
    RegionalIdentityFactory(identity=ok, region=sandbox)
    RegionalIdentityFactory(identity=ok, region=prod)
    RegionalIdentityFactory(
        identity=pending, region=prod, verification_status="PENDING", verified_for_sending=False
    )
    return account


def report(*args: str) -> str:
    out = StringIO()
    call_command("ses_report", *args, stdout=out)
    return out.getvalue()


def test_json_rows_carry_blockers_with_code_severity_message_remedy(world) -> None:
    rows = json.loads(report("--format", "json"))
    by_key = {(r["identity"], r["region"]): r for r in rows}
    assert by_key[("admin@mydomain.example", "eu-west-1")]["blockers"] == []
    assert by_key[("admin@mydomain.example", "eu-west-1")]["status"] == "sending"
    [sandbox] = by_key[("admin@mydomain.example", "us-east-1")]["blockers"]
    assert sandbox["code"] == "sandbox"
    assert sandbox["severity"] == "warning"
    assert sandbox["message"] == "Only verified recipients, at most 200 messages a day."
    assert sandbox["remedy"]
    assert sandbox["action"] == "request_production_access"
    [pending] = by_key[("new@other.example", "eu-west-1")]["blockers"]
    assert (pending["code"], pending["severity"]) == ("verification_pending", "blocking")
    assert by_key[("new@other.example", "eu-west-1")]["status"] == "blocked"


def test_blocking_only_keeps_rows_that_cannot_send(world) -> None:
    rows = json.loads(report("--format", "json", "--blocking-only"))
    assert [(r["identity"], r["region"]) for r in rows] == [("new@other.example", "eu-west-1")]


def test_table_lists_blocker_codes_warnings_marked(world) -> None:
    table = report("--format", "table")
    lines = {line.split()[2] + " " + line.split()[1]: line for line in table.splitlines()[1:]}
    assert lines["new@other.example eu-west-1"].rstrip().endswith("blocked  verification_pending")
    assert lines["admin@mydomain.example us-east-1"].rstrip().endswith("warning  sandbox?")
    assert "blockers" in table.splitlines()[0]
    only = report("--blocking-only")
    assert "new@other.example" in only
    assert "admin@mydomain.example" not in only


def test_blocking_only_with_nothing_blocked_says_so(world) -> None:
    RegionalIdentity.objects.filter(verification_status="PENDING").update(
        verification_status="SUCCESS", verified_for_sending=True
    )
    assert report("--blocking-only").strip() == "nothing is blocked"
    assert json.loads(report("--format", "json", "--blocking-only")) == []
