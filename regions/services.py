"""Writes on accounts and regions that other parts call."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from regions.models import AwsAccount, Region

DEFAULT_ACCOUNT_LABEL = "default"


def ensure_default_account() -> AwsAccount | None:
    """The account that uses boto3's default credential chain, with one Region row per code
    in settings.SESOPS_REGIONS (regions later removed from the setting are kept, with their
    history: hide them in the admin).

    It is created only on an install with no account at all (the single-account setup).
    Once accounts are configured (admin, `setup_demo`) and none is labelled "default",
    nothing is created and None is returned: a credential-less extra account would only
    fail its syncs. Idempotent."""
    with transaction.atomic():
        account = AwsAccount.objects.filter(label=DEFAULT_ACCOUNT_LABEL).first()
        if account is None:
            if AwsAccount.objects.exists():
                return None
            account, _ = AwsAccount.objects.get_or_create(label=DEFAULT_ACCOUNT_LABEL)
        existing = set(account.regions.values_list("code", flat=True))
        missing = [code for code in settings.SESOPS_REGIONS if code not in existing]
        if missing:
            Region.objects.bulk_create(
                [Region(account=account, code=code) for code in missing], ignore_conflicts=True
            )
    return account
