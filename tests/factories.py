"""Model factories shared by every test module."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from identities.models import DnsCheck, Identity, RegionalIdentity
from regions.models import AwsAccount, Event, Region, SesRecommendation, SyncRun


class AwsAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwsAccount
        django_get_or_create = ("label",)

    label = factory.Sequence(lambda n: f"account-{n}")
    account_id = factory.Sequence(lambda n: f"{100000000000 + n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("account", "code")

    account = factory.SubFactory(AwsAccountFactory)
    code = "us-east-1"
    production_access_enabled = True
    sending_enabled = True
    enforcement_status = "HEALTHY"
    max_24_hour_send = 50000.0
    max_send_rate = 14.0
    sent_last_24_hours = 0.0
    account_synced_at = factory.LazyFunction(timezone.now)
    last_success_at = factory.LazyFunction(timezone.now)
    last_sync_finished_at = factory.LazyFunction(timezone.now)


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity
        django_get_or_create = ("account", "name")

    account = factory.SubFactory(AwsAccountFactory)
    name = factory.Sequence(lambda n: f"user{n}@example.com")
    kind = factory.LazyAttribute(
        lambda o: Identity.Kind.EMAIL if "@" in o.name else Identity.Kind.DOMAIN
    )
    domain = factory.LazyAttribute(lambda o: o.name.rsplit("@", 1)[-1])


class RegionalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalIdentity

    identity = factory.SubFactory(IdentityFactory)
    region = factory.SubFactory(RegionFactory, account=factory.SelfAttribute("..identity.account"))
    verification_status = "SUCCESS"
    verified_for_sending = True
    sending_enabled = True
    synced_at = factory.LazyFunction(timezone.now)


class DnsCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DnsCheck

    regional_identity = factory.SubFactory(RegionalIdentityFactory)
    purpose = "dkim"
    name = factory.Sequence(lambda n: f"tok{n}._domainkey.example.com")
    rtype = "CNAME"
    expected = "tok.dkim.amazonses.com"
    verdict = DnsCheck.Verdict.OK


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.STATUS
    actor_name = "sync"


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    region = factory.SubFactory(RegionFactory)
    status = SyncRun.Status.SUCCEEDED


class SesRecommendationFactory(factory.django.DjangoModelFactory):
    """An open VDM recommendation about `identity_name` in `region` (its ARN names it)."""

    class Meta:
        model = SesRecommendation

    region = factory.SubFactory(RegionFactory, vdm_enabled=True)
    identity_name = "example.com"
    resource_arn = factory.LazyAttribute(
        lambda o: (
            f"arn:aws:ses:{o.region.code}:{o.region.account.account_id}:identity/{o.identity_name}"
        )
    )
    type = "DKIM"
    impact = "HIGH"
    description = "DKIM is not set up for this domain."


def user_with_role(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-1")
    if role:
        # get_or_create: transactional (browser) tests flush the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "alerts.Channel"

    name = factory.Sequence(lambda n: f"channel-{n}")
    type = "webhook"
    target = "http://127.0.0.1:9/hook"


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "alerts.Rule"

    channel = factory.SubFactory(ChannelFactory)
    min_severity = "info"
