"""Account discovery against moto's AWS Organizations: the service, the command, the admin page."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from django.core.management import CommandError, call_command
from moto import mock_aws

from regions import organizations
from regions.discovery import accounts_discover
from regions.models import AwsAccount, Event, Region
from tests.factories import AwsAccountFactory

MANAGEMENT = "123456789012"  # moto's default account: the organization's management account


@pytest.fixture
def org(monkeypatch, settings, tmp_path):
    """A moto organization with two member accounts; yields the boto3 client to change it."""
    settings.SESOPS_REGIONS = ["eu-west-1", "us-east-1"]
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(organizations, "RATE", 0)
    monkeypatch.setattr(organizations, "MAX_ATTEMPTS", 1)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    organizations.clear_client_cache()
    with mock_aws():
        client = boto3.client("organizations", region_name="us-east-1")
        client.create_organization(FeatureSet="ALL")
        yield client
    organizations.clear_client_cache()


def add_member(client, name: str) -> str:
    status = client.create_account(AccountName=name, Email=f"{name}@example.com")
    return status["CreateAccountStatus"]["AccountId"]


@pytest.fixture
def source(db):
    return AwsAccountFactory(label="management", account_id=MANAGEMENT, profile_name="")


def test_it_adds_each_member_account_with_the_role_to_assume_and_its_regions(org, source):
    mail = add_member(org, "Mail Prod")
    add_member(org, "Marketing")

    result = accounts_discover(source=source, role_name="SesopsReadOnly", external_id="xid-42")

    added = AwsAccount.objects.get(account_id=mail)
    assert added.label == f"mail-prod-{mail}"
    assert added.role_arn == f"arn:aws:iam::{mail}:role/SesopsReadOnly"
    assert added.external_id == "xid-42"
    assert added.org_status == "ACTIVE" and added.is_active and added.org_closed_at is None
    assert added.discovered_from == source
    assert sorted(added.regions.values_list("code", flat=True)) == ["eu-west-1", "us-east-1"]
    assert len(result.added) == 2  # the management account is already known by its id
    assert AwsAccount.objects.get(pk=source.pk).role_arn == ""  # its own row is untouched
    assert Event.objects.filter(kind=Event.Kind.ACCOUNT, subject="discovered").count() == 2


def test_it_reads_every_page_of_the_listing(org, source, monkeypatch):
    monkeypatch.setattr(organizations, "PAGE", 2)
    ids = {add_member(org, f"team-{n}") for n in range(4)}

    result = accounts_discover(source=source, role_name="Sesops")

    assert ids <= set(AwsAccount.objects.values_list("account_id", flat=True))
    assert result.calls == 3  # 5 accounts (4 members + management), 2 per page


def test_rerunning_adds_only_new_accounts_and_changes_nothing_else(org, source):
    first = add_member(org, "first")
    accounts_discover(source=source, role_name="Sesops")
    row = AwsAccount.objects.get(account_id=first)
    row.profile_name = "edited-by-hand"
    row.save()
    second = add_member(org, "second")

    result = accounts_discover(source=source, role_name="OtherRole")

    assert result.added == [f"second-{second}"]
    assert result.closed == [] and result.unchanged == 2
    row.refresh_from_db()
    assert row.profile_name == "edited-by-hand"
    assert row.role_arn.endswith(":role/Sesops")  # an existing row keeps its role
    assert AwsAccount.objects.count() == 3
    assert Region.objects.filter(account=row).count() == 2  # no duplicate regions


def test_a_closed_account_is_marked_and_deactivated_but_kept_with_its_data(org, source):
    closing = add_member(org, "closing")
    accounts_discover(source=source, role_name="Sesops")
    org.close_account(AccountId=closing)

    result = accounts_discover(source=source, role_name="Sesops")

    row = AwsAccount.objects.get(account_id=closing)
    assert result.closed == [row.label]
    assert row.org_status in {"SUSPENDED", "PENDING_CLOSURE", "CLOSED"}
    assert row.org_closed_at is not None and not row.is_active
    assert row.regions.count() == 2
    again = accounts_discover(source=source, role_name="Sesops")
    assert again.closed == [] and again.unchanged == 2  # idempotent once marked


def test_an_account_that_left_the_organization_is_marked_not_listed(org, source):
    leaving = add_member(org, "leaving")
    accounts_discover(source=source, role_name="Sesops")
    org.remove_account_from_organization(AccountId=leaving)

    accounts_discover(source=source, role_name="Sesops")

    row = AwsAccount.objects.get(account_id=leaving)
    assert row.org_status == "NOT_LISTED" and not row.is_active


def test_a_first_seen_closed_account_is_added_inactive(org, source):
    closed = add_member(org, "closed-before")
    org.close_account(AccountId=closed)

    accounts_discover(source=source, role_name="Sesops")

    row = AwsAccount.objects.get(account_id=closed)
    assert not row.is_active and row.org_closed_at is not None


def test_the_command_prints_what_it_did_and_exits_0(org, source, capsys):
    member = add_member(org, "mail")

    call_command("discover_accounts", "--from", "management", "--role-name", "Sesops")

    out = capsys.readouterr().out
    assert f"added mail-{member}" in out
    assert "1 added, 0 marked closed" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--from", "nope", "--role-name", "Sesops"], "no account labelled 'nope'"),
        (["--from", "management", "--role-name", "bad role!"], "not an IAM role name"),
        (["--from", "management", "--role-name", "R", "--external-id", "x"], "external id"),
    ],
)
def test_the_command_exits_2_on_bad_input_without_calling_aws(source, argv, message):
    with pytest.raises(CommandError, match=message) as caught:
        call_command("discover_accounts", *argv)
    assert caught.value.returncode == 2
    assert AwsAccount.objects.count() == 1


def test_the_command_exits_1_with_one_line_when_aws_cannot_be_reached(org, source, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    # moto passes a custom endpoint through to the network: the connection is refused.
    organizations.clear_client_cache()
    with pytest.raises(CommandError) as caught:
        call_command("discover_accounts", "--from", "management", "--role-name", "Sesops")
    assert caught.value.returncode == 1
    assert "Organizations could not be reached" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert AwsAccount.objects.count() == 1


def test_a_profile_that_does_not_exist_is_a_permanent_error_exiting_1(org, source):
    source.profile_name = "no-such-profile"
    source.save()
    with pytest.raises(CommandError) as caught:
        call_command("discover_accounts", "--from", "management", "--role-name", "Sesops")
    assert caught.value.returncode == 1
    assert "no-such-profile" in str(caught.value)
    assert AwsAccount.objects.count() == 1


@pytest.mark.parametrize(
    "code, status, permanent",
    [
        ("AccessDeniedException", 400, True),
        ("AWSOrganizationsNotInUseException", 400, True),
        ("TooManyRequestsException", 400, False),
        ("ServiceException", 500, False),
    ],
)
def test_errors_are_sorted_permanent_or_transient(org, source, code, status, permanent):
    client = organizations.organizations_for(source)
    with Stubber(client._boto.client) as stub:
        stub.add_client_error("list_accounts", service_error_code=code, http_status_code=status)
        with pytest.raises(organizations.OrganizationsError) as caught:
            accounts_discover(source=source, role_name="Sesops", client=client)
    assert caught.value.code == code and caught.value.permanent is permanent
    assert str(caught.value).startswith("ListAccounts: ")
    assert AwsAccount.objects.count() == 1


def test_the_admin_page_discovers_accounts_for_an_admin(org, source, admin_client_role):
    member = add_member(org, "mail")
    url = "/admin/regions/awsaccount/discover/"
    assert admin_client_role.get(url).status_code == 200
    assert (
        "Discover from AWS Organizations"
        in admin_client_role.get("/admin/regions/awsaccount/").content.decode()
    )

    response = admin_client_role.post(url, {"source": source.pk, "role_name": "Sesops"})

    assert response.status_code == 302
    assert AwsAccount.objects.filter(account_id=member, org_status="ACTIVE").exists()


def test_the_admin_page_shows_a_bad_role_name_as_a_form_error(source, admin_client_role):
    response = admin_client_role.post(
        "/admin/regions/awsaccount/discover/", {"source": source.pk, "role_name": "no spaces"}
    )
    assert response.status_code == 200
    assert "not an IAM role name" in response.content.decode()
    assert AwsAccount.objects.count() == 1


def test_the_admin_page_is_refused_to_an_operator(db, operator_client):
    response = operator_client.get("/admin/regions/awsaccount/discover/")
    assert response.status_code in {302, 403}
    assert AwsAccount.objects.count() == 0
