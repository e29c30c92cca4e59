"""A realistic dashboard scenario built from the factories (browser tests and screenshots)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from identities.models import DnsCheck, Identity, RegionalIdentity
from regions.models import Event, Region
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

TOKENS = ("q3xk7mv2bd5t4yhnrz6wcj8pfa", "h7gp2ty6wzk3ndbmv5sx4rqe9c", "m2c8vn4kq7zr6tw5bxhp3yjd9f")


def _domain(identity: Identity, region: Region, **fields) -> RegionalIdentity:
    defaults = {
        "dkim_signing_enabled": True,
        "dkim_status": "SUCCESS",
        "dkim_tokens": list(TOKENS),
        "dkim_origin": "AWS_SES",
        "dkim_signing_zone": "dkim.amazonses.com",
    }
    defaults.update(fields)
    return RegionalIdentityFactory(identity=identity, region=region, **defaults)


def seed_dashboard() -> dict[str, object]:
    now = timezone.now()
    prod = AwsAccountFactory(label="prod", account_id="111111111111")
    staging = AwsAccountFactory(label="staging", account_id="222222222222")
    use1 = RegionFactory(account=prod, code="us-east-1")
    euw1 = RegionFactory(
        account=prod, code="eu-west-1", production_access_enabled=False, max_24_hour_send=200.0
    )
    apse2 = RegionFactory(
        account=prod,
        code="ap-southeast-2",
        last_success_at=now - timedelta(hours=3),
        last_sync_error="GetAccount: SES throttled the request (too many requests)",
        last_sync_error_at=now - timedelta(minutes=4),
    )
    stg = RegionFactory(account=staging, code="us-east-1", production_access_enabled=False)

    # The zone's serial as its two nameservers serve it (they disagree), and what SES saw:
    # us-east-1 looked after the last change, eu-west-1 before it, ap-southeast-2 unknown.
    example = IdentityFactory(
        account=prod,
        name="example.com",
        zone_soa={
            "zone": "example.com",
            "serials": {"ns-1024.awsdns-00.org": 2026112903, "ns-52.awsdns-06.com": 2026112902},
        },
        zone_soa_checked_at=now - timedelta(minutes=2),
    )
    _domain(
        example,
        use1,
        verification_soa_serial=2026112903,
        verification_last_checked_at=now - timedelta(minutes=10),
        details_synced_at=now - timedelta(minutes=9),  # the sync's GetEmailIdentity read
    )
    _domain(
        example,
        euw1,
        verification_soa_serial=2026112901,
        verification_last_checked_at=now - timedelta(hours=3),
        details_synced_at=now - timedelta(hours=2),
    )
    _domain(example, apse2, dkim_origin="AWS_SES_US_EAST_1")

    shop = IdentityFactory(account=prod, name="shop.example.org")
    _domain(shop, use1, mail_from_domain="bounce.shop.example.org", mail_from_status="SUCCESS")
    pending_shop = _domain(
        shop,
        euw1,
        verification_status="PENDING",
        verified_for_sending=False,
        dkim_status="PENDING",
        dkim_tokens=["t5vd2k", "p8sz4n", "w3qj6c"],
    )
    DnsCheckFactory(
        regional_identity=pending_shop,
        name="t5vd2k._domainkey.shop.example.org",
        expected="t5vd2k.dkim.amazonses.com",
        verdict=DnsCheck.Verdict.MISSING,
    )

    RegionalIdentityFactory(
        identity=IdentityFactory(account=prod, name="noreply@example.com"), region=use1
    )
    billing = IdentityFactory(account=prod, name="billing@acme-payments.example")
    RegionalIdentityFactory(identity=billing, region=use1)
    RegionalIdentityFactory(
        identity=billing,
        region=euw1,
        verification_status="PENDING",
        verified_for_sending=False,
        sending_enabled=False,
    )
    alerts = IdentityFactory(account=prod, name="alerts@ops.example.net")
    RegionalIdentityFactory(
        identity=alerts,
        region=use1,
        verification_status="FAILED",
        verified_for_sending=False,
        sending_enabled=False,
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=prod, name="newsletter@example.com"), region=euw1
    )
    news = IdentityFactory(account=prod, name="news.example.io")
    _domain(
        news,
        use1,
        mail_from_domain="mail.news.example.io",
        mail_from_status="FAILED",
        mail_from_behavior="REJECT_MESSAGE",
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=staging, name="qa@staging.example.com"), region=stg
    )
    RegionalIdentityFactory(
        identity=IdentityFactory(account=staging, name="admin@mydomain.example"), region=stg
    )

    EventFactory(
        account=prod,
        region=use1,
        identity_name=alerts.name,
        subject="verification_status",
        before="PENDING",
        after="FAILED",
        created_at=now - timedelta(hours=2),
        message="The verification link was not clicked within 24 hours.",
    )
    EventFactory(
        kind=Event.Kind.STATUS,
        account=prod,
        region=use1,
        identity_name=alerts.name,
        subject="created",
        after="PENDING",
        created_at=now - timedelta(days=1, hours=3),
    )
    return {
        "prod": prod,
        "staging": staging,
        "regions": [use1, euw1, apse2, stg],
        "alerts": alerts,
        "billing": billing,
        "shop": shop,
        "example": example,
    }
