"""End to end in the emulator: a domain blocked in one region for missing DKIM records is
fixed by "Publish to Route 53" and ends Sending after the next sync; nothing of the other
regions (or of another account's token) is lost.

The real code path all the way: boto3 to the emulator's SES and Route 53, dnspython to its
DNS zone server, the services and the task body (a real worker runs them in the demo).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.testing import RunningEmulator, run_emulator
from identities.dns.publish import PublishError, follow_publish, publish_apply, publish_preview
from identities.dns.publish_zone import NOT_DELEGATED
from identities.dns.service import probe_all
from identities.models import DnsPublish, RegionalIdentity
from identities.sync.run import sync_region
from regions.models import AwsAccount, Event, Region
from tests.route53_env import clear_clients, use_emulator

pytestmark = pytest.mark.django_db
ACCOUNT, KEY = "111111111111", "AKIAPUBLISH000000001"
NS = {"ns1.dns.example": "127.0.0.2", "ns2.dns.example": "127.0.0.3"}
OTHER_ACCOUNTS_TOKEN = '"token-of-the-staging-account"'


def scenario(*, delegated_copy_only: bool = False) -> dict:
    zone = {
        "origin": "blocked.example",
        "nameservers": NS,
        "records": [
            {"name": "_amazonses.blocked.example", "type": "TXT", "value": OTHER_ACCOUNTS_TOKEN},
            {"name": "_dmarc.blocked.example", "type": "TXT", "value": '"v=DMARC1; p=none"'},
        ],
    }
    data: dict = {"route53_insync_seconds": 0, "zones": [zone]}
    if delegated_copy_only:
        # Route 53 holds a copy of the zone that the DNS does not point at.
        data["hosted_zones"] = [{"origin": "blocked.example", "account": ACCOUNT}]
    else:
        zone["hosted_zone"] = {"account": ACCOUNT}
    data["accounts"] = [
        {
            "id": ACCOUNT,
            "access_keys": [KEY],
            "regions": {
                "us-east-1": {
                    "production": True,
                    "identities": [{"name": "blocked.example", "dkim": "published"}],
                },
                "eu-west-1": {
                    "production": True,
                    "identities": [{"name": "blocked.example", "dkim": "missing"}],
                },
            },
        }
    ]
    return data


def _world(request, monkeypatch, settings, tmp_path, data: dict) -> Iterator[RunningEmulator]:
    with run_emulator(data, dns_port=0) as emu:
        use_emulator(
            emu, access_key=KEY, monkeypatch=monkeypatch, settings=settings, tmp_path=tmp_path
        )
        account = AwsAccount.objects.create(label="prod", account_id=ACCOUNT)
        for code in ("us-east-1", "eu-west-1"):
            region = Region.objects.create(account=account, code=code)
            sync_region(region, trigger="test")
        probe_all(trigger="test")
        yield emu
    clear_clients()


@pytest.fixture
def world(request, monkeypatch, settings, tmp_path) -> Iterator[RunningEmulator]:
    yield from _world(request, monkeypatch, settings, tmp_path, scenario())


def _regional(code: str) -> RegionalIdentity:
    return RegionalIdentity.objects.get(identity__name="blocked.example", region__code=code)


def test_publish_fixes_a_domain_blocked_for_missing_dkim(world: RunningEmulator, operator) -> None:
    west, east = _regional("eu-west-1"), _regional("us-east-1")
    assert west.blocking is True and east.blocking is False
    east_records = {
        (r.name, r.rtype, r.value) for r in world.store.zone_for("blocked.example").records
    }

    preview = publish_preview(identity=west.identity)
    assert preview.ready, preview.choice.message if preview.choice else preview.error
    ticked = [item for item in preview.items if item.ticked]
    assert sorted((i.kind, i.rtype) for i in ticked) == [("create", "CNAME")] * 3
    assert {i.regions for i in ticked} == {("eu-west-1",)}

    publish = publish_apply(identity=west.identity, keys=[i.key for i in ticked], actor=operator)
    assert publish is not None and publish.change_id
    event = Event.objects.get(subject="publish to route 53")
    assert (event.actor, event.after, event.result) == (
        operator,
        f"change {publish.change_id}",
        "ok",
    )
    assert "CREATE" in event.message and "_domainkey.blocked.example" in event.message

    publish = follow_publish(publish_id=publish.pk)
    assert publish.status == DnsPublish.Status.DONE, publish.error
    assert publish.result.startswith("6 of 6 ")  # 3 CNAMEs in each of the two regions
    sync_region(Region.objects.get(code="eu-west-1"), trigger="test")

    west = _regional("eu-west-1")
    assert (west.verification_status, west.dkim_status, west.blocking) == (
        "SUCCESS",
        "SUCCESS",
        False,
    )
    assert _regional("us-east-1").blocking is False
    now = {(r.name, r.rtype, r.value) for r in world.store.zone_for("blocked.example").records}
    assert east_records <= now  # us-east-1's CNAMEs and the other account's token are all kept
    assert ("_amazonses.blocked.example", "TXT", OTHER_ACCOUNTS_TOKEN) in now


def test_reapplying_when_everything_is_right_changes_nothing(
    world: RunningEmulator, operator
) -> None:
    identity = _regional("eu-west-1").identity
    first = publish_apply(
        identity=identity,
        keys=[i.key for i in publish_preview(identity=identity).items if i.ticked],
        actor=operator,
    )
    assert first is not None
    calls_before = world.state.stats_json()["total"]
    again = publish_preview(identity=identity)
    assert again.ready and again.items == []
    assert publish_apply(identity=identity, keys=[], actor=operator) is None
    changes = [
        c
        for c in world.state.stats_json()["counts"]
        if c["operation"] == "ChangeResourceRecordSets"
    ]
    assert sum(c["count"] for c in changes) == 1  # only the first apply wrote
    assert world.state.stats_json()["total"] > calls_before  # the previews did read
    assert DnsPublish.objects.count() == 1


def test_a_stale_tick_is_refused_and_writes_nothing(world: RunningEmulator, operator) -> None:
    identity = _regional("eu-west-1").identity
    with pytest.raises(PublishError, match="changed since the preview"):
        publish_apply(identity=identity, keys=["not-a-planned-item"], actor=operator)
    assert DnsPublish.objects.count() == 0


@pytest.fixture
def undelegated_world(request, monkeypatch, settings, tmp_path) -> Iterator[RunningEmulator]:
    data = scenario(delegated_copy_only=True)
    yield from _world(request, monkeypatch, settings, tmp_path, data)


def test_a_zone_that_is_not_delegated_is_named_and_nothing_is_written(
    undelegated_world: RunningEmulator, operator
) -> None:
    identity = _regional("eu-west-1").identity
    preview = publish_preview(identity=identity)
    assert preview.choice is not None and preview.choice.status == NOT_DELEGATED
    assert preview.items == []
    message = preview.choice.message
    assert "prod" in message and "ns1.dns.example, ns2.dns.example" in message
    assert "ns-1.awsdns-emulated.example" in message  # the copy Route 53 holds
    with pytest.raises(PublishError):
        publish_apply(identity=identity, keys=[], actor=operator)


def test_the_follow_task_comes_back_while_pending_then_queues_syncs(
    world: RunningEmulator, operator, monkeypatch
) -> None:
    from identities import tasks

    world.app.route53.insync_seconds = 60  # Route 53 takes its time
    identity = _regional("eu-west-1").identity
    keys = [i.key for i in publish_preview(identity=identity).items if i.ticked]
    publish = publish_apply(identity=identity, keys=keys, actor=operator)
    assert publish is not None and publish.status == DnsPublish.Status.PENDING
    later: list[dict] = []
    synced: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks.follow_publish_task, "apply_async", lambda **kw: later.append(kw))
    monkeypatch.setattr(
        tasks, "enqueue_region_sync", lambda r, trigger: synced.append((r.code, trigger))
    )

    assert tasks.follow_publish_task.run(publish.pk) == "pending"
    assert later == [{"args": [publish.pk], "countdown": tasks.FOLLOW_INTERVAL}]
    assert synced == []
    world.advance(61)
    assert tasks.follow_publish_task.run(publish.pk) == "done"
    assert sorted(synced) == [("eu-west-1", "publish"), ("us-east-1", "publish")]
    assert DnsPublish.objects.get().insync_at is not None
    assert tasks.follow_publish_task.run(publish.pk) == "done"  # a duplicate does nothing
    assert len(synced) == 2 and len(later) == 1


def test_with_the_task_queue_down_the_progress_page_follows_the_change_itself(
    world: RunningEmulator, operator, client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from datetime import timedelta

    from kombu.exceptions import OperationalError

    from identities import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.follow_publish_task, "delay", broker_down)
    identity = _regional("eu-west-1").identity
    keys = [i.key for i in publish_preview(identity=identity).items if i.ticked]
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/identities/{identity.pk}/dns/publish/", {"item": keys})
    publish = DnsPublish.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{publish.pk}/")
    url = response["Location"]
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200  # recent: the worker's job
    DnsPublish.objects.filter(pk=publish.pk).update(
        submitted_at=publish.submitted_at - timedelta(seconds=31)
    )
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286 and b"6 of 6 required records right" in done.content


def test_an_account_whose_credentials_fail_is_named_and_the_others_still_searched(
    world: RunningEmulator, operator
) -> None:
    AwsAccount.objects.create(label="legacy", profile_name="no-such-profile")
    preview = publish_preview(identity=_regional("eu-west-1").identity)
    assert preview.ready and preview.choice.zone.account == "prod"
    assert preview.choice.searched == ("legacy", "prod")
    assert "no-such-profile" in preview.choice.errors["legacy"]
