"""Writes on accounts and regions that other parts call."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from regions.models import AwsAccount, Region

DEFAULT_ACCOUNT_LABEL = "default"


def ensure_default_account() -> AwsAccount:
    """The account that uses boto3's default credential chain, with one Region row per code
    in settings.SESOPS_REGIONS. Idempotent; regions removed from the setting are kept (their
    history stays) — hide them in the admin."""
    with transaction.atomic():
        account, _ = AwsAccount.objects.get_or_create(label=DEFAULT_ACCOUNT_LABEL)
        existing = set(account.regions.values_list("code", flat=True))
        missing = [code for code in settings.SESOPS_REGIONS if code not in existing]
        if missing:
            Region.objects.bulk_create(
                [Region(account=account, code=code) for code in missing], ignore_conflicts=True
            )
    return account
