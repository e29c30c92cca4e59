"""The publish pages: who may use them, bad input, stale ticks, and polling that stops."""

from __future__ import annotations

import pytest

from identities import actions
from identities.dns.publish import PublishError
from identities.models import DnsPublish, Identity
from tests.factories import IdentityFactory


@pytest.fixture
def domain(db) -> Identity:
    return IdentityFactory(name="example.com", kind=Identity.Kind.DOMAIN)


def _publish(domain: Identity, status: str) -> DnsPublish:
    return DnsPublish.objects.create(
        identity=domain,
        account=domain.account,
        zone_id="Z1",
        zone_name="example.com",
        change_id="C1",
        status=status,
        actor_name="op",
        changes=[
            {
                "action": "CREATE",
                "name": "a._domainkey.example.com",
                "rtype": "CNAME",
                "ttl": 1800,
                "values": ["a.dkim.amazonses.com"],
            }
        ],
    )


def test_it_needs_the_operator_role(viewer_client, domain) -> None:
    assert viewer_client.get(f"/identities/{domain.pk}/dns/publish/").status_code == 403
    response = viewer_client.post(f"/identities/{domain.pk}/dns/publish/", {"item": "x"})
    assert response.status_code == 403


def test_an_address_or_unknown_identity_is_404(operator_client, db) -> None:
    address = IdentityFactory(name="a@example.com", kind=Identity.Kind.EMAIL)
    assert operator_client.get(f"/identities/{address.pk}/dns/publish/").status_code == 404
    assert operator_client.get("/identities/999999/dns/publish/").status_code == 404


def test_a_refused_apply_says_why_and_returns_to_the_preview(
    operator_client, domain, monkeypatch
) -> None:
    def refuse(**kwargs):
        raise PublishError("The records changed since the preview")

    monkeypatch.setattr(actions, "publish_apply", refuse)
    response = operator_client.post(
        f"/identities/{domain.pk}/dns/publish/", {"item": ["k1", "k2"]}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == f"/identities/{domain.pk}/dns/publish/"


def test_nothing_to_change_goes_back_to_the_identity(operator_client, domain, monkeypatch):
    seen = {}

    def nothing(**kwargs):
        seen.update(kwargs)

    monkeypatch.setattr(actions, "publish_apply", nothing)
    response = operator_client.post(f"/identities/{domain.pk}/dns/publish/", {})
    assert response["Location"] == f"/identities/{domain.pk}/"
    assert seen["keys"] == []


def test_the_progress_partial_polls_until_done_then_stops(operator_client, domain) -> None:
    publish = _publish(domain, DnsPublish.Status.PENDING)
    url = f"/identities/{domain.pk}/dns/publish/{publish.pk}/"
    pending = operator_client.get(url, HTTP_HX_REQUEST="true")
    assert pending.status_code == 200 and b'hx-trigger="every 2s"' in pending.content
    assert b"<html" not in pending.content  # the partial only
    DnsPublish.objects.filter(pk=publish.pk).update(
        status=DnsPublish.Status.DONE, result="3 of 3 required records right"
    )
    done = operator_client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    assert b"hx-trigger" not in done.content and b"3 of 3 required records right" in done.content
    page = operator_client.get(url)
    assert page.status_code == 200 and b"a._domainkey.example.com" in page.content


def test_a_change_of_another_identity_is_404(operator_client, domain) -> None:
    other = IdentityFactory(name="other.com", kind=Identity.Kind.DOMAIN)
    publish = _publish(domain, DnsPublish.Status.DONE)
    assert (
        operator_client.get(f"/identities/{other.pk}/dns/publish/{publish.pk}/").status_code == 404
    )
