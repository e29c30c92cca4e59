"""regions.services.ensure_default_account."""

from __future__ import annotations

import pytest

from regions.models import AwsAccount, Region
from regions.services import DEFAULT_ACCOUNT_LABEL, ensure_default_account
from tests.factories import AwsAccountFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_default_account_and_its_regions_on_an_empty_install(settings):
    settings.SESOPS_REGIONS = ["us-east-1", "eu-west-1"]

    account = ensure_default_account()

    assert account.label == DEFAULT_ACCOUNT_LABEL
    assert account.profile_name == "" and account.role_arn == ""  # boto3's default chain
    assert sorted(account.regions.values_list("code", flat=True)) == ["eu-west-1", "us-east-1"]


def test_it_is_idempotent_and_adds_regions_added_to_the_setting(settings):
    settings.SESOPS_REGIONS = ["us-east-1"]
    first = ensure_default_account()
    settings.SESOPS_REGIONS = ["us-east-1", "sa-east-1"]

    again = ensure_default_account()

    assert again.pk == first.pk
    assert AwsAccount.objects.count() == 1
    assert sorted(Region.objects.values_list("code", flat=True)) == ["sa-east-1", "us-east-1"]


def test_it_keeps_regions_removed_from_the_setting(settings):
    settings.SESOPS_REGIONS = ["us-east-1", "eu-west-1"]
    ensure_default_account()
    settings.SESOPS_REGIONS = ["us-east-1"]

    ensure_default_account()

    assert Region.objects.filter(code="eu-west-1").exists()


def test_it_adds_no_default_account_next_to_configured_ones():
    AwsAccountFactory(label="prod", profile_name="sesops-prod")

    assert ensure_default_account() is None
    assert list(AwsAccount.objects.values_list("label", flat=True)) == ["prod"]
