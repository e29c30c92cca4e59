"""`manage.py send_check`: exit 0 accepted, 1 rejected with SES's text, 2 bad input."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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
    admin = IdentityFactory(account=account, name="admin@mydomain.example")
    for region in (sandbox, prod):
        RegionalIdentityFactory(identity=admin, region=region)
    return account


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("send_check", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_it_exits_0_when_ses_would_accept(world) -> None:
    code, out = run(
        "--from", "admin@mydomain.example", "--to", "x@example.com", "--region", "eu-west-1"
    )
    assert code == 0
    assert "Accepted" in out


def test_it_exits_1_and_prints_ses_error_when_rejected(world) -> None:
    code, out = run(
        "--from", "admin@mydomain.example",
        "--to", "x@example.com", "--to", "success@simulator.amazonses.com,y@example.com",
        "--region", "us-east-1", "--account", "main",
    )  # fmt: skip
    assert code == 1
    assert (
        "MessageRejected: Email address is not verified. The following identities failed the "
        "check in region US-EAST-1: x@example.com, y@example.com"
    ) in out
    assert "sandbox" in out  # the reasons are printed too
    assert "fix: Request production access for us-east-1" in out


def test_quiet_prints_only_the_error(world) -> None:
    code, out = run(
        "--from", "nobody@example.com", "--to", "x@example.com", "--region", "eu-west-1", "--quiet"
    )  # fmt: skip
    assert code == 1
    assert out.strip() == (
        "MessageRejected: Email address is not verified. The following identities failed the "
        "check in region EU-WEST-1: nobody@example.com"
    )


BASE = ("--from", "a@b.example", "--to", "x@example.com", "--region", "us-east-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "bad", *BASE[2:]), "'bad' is not a valid email address"),
        ((*BASE[:2], "--to", "x@", *BASE[4:]), "'x@' is not a valid email address"),
        ((*BASE[:4], "--region", "mars-1"), "Unknown region 'mars-1'"),
        ((*BASE, "--account", "zz"), "Unknown account 'zz'"),
    ],
)
def test_it_exits_2_on_bad_input(world, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        call_command("send_check", *args, stdout=StringIO())
    assert info.value.returncode == 2


def test_bad_input_exit_status_from_the_command_line(world) -> None:
    # run_from_argv turns CommandError into the process exit status.
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as info:
        ManagementUtility(
            [
                "manage.py",
                "send_check",
                "--from",
                "bad",
                "--to",
                "x@example.com",
                "--region",
                "us-east-1",
            ]
        ).execute()
    assert info.value.code == 2


def test_return_path_option_is_checked_like_the_sender(world) -> None:
    code, out = run(
        "--from", "admin@mydomain.example", "--to", "x@example.com",
        "--return-path", "bounces@elsewhere.example", "--region", "eu-west-1",
    )  # fmt: skip
    assert code == 1
    assert "failed the check in region EU-WEST-1: bounces@elsewhere.example" in out


def test_a_shut_down_account_says_the_wording_is_sesops(world) -> None:
    world.regions.filter(code="eu-west-1").update(enforcement_status="SHUTDOWN")
    code, out = run(
        "--from", "admin@mydomain.example", "--to", "x@example.com", "--region", "eu-west-1"
    )  # fmt: skip
    assert code == 1
    assert "AccountSuspendedException" in out
    assert "note: This wording is sesops', not SES's" in out
