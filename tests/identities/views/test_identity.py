"""The identity page: state per region, blockers, walkthrough, records, history, roles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from identities.models import RegionalIdentity
from regions.models import Event
from tests.factories import (
    AwsAccountFactory,
    DnsCheckFactory,
    EventFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    acc = AwsAccountFactory(label="prod")
    use1 = RegionFactory(account=acc, code="us-east-1")
    euw1 = RegionFactory(account=acc, code="eu-west-1", production_access_enabled=False)
    apse2 = RegionFactory(account=acc, code="ap-southeast-2")
    address = IdentityFactory(account=acc, name="ops@example.net")
    RegionalIdentityFactory(identity=address, region=use1)
    RegionalIdentityFactory(
        identity=address,
        region=euw1,
        verification_status="FAILED",
        verified_for_sending=False,
        verification_error_type="",
    )
    domain = IdentityFactory(account=acc, name="example.com")
    RegionalIdentityFactory(
        identity=domain,
        region=use1,
        dkim_status="SUCCESS",
        dkim_tokens=["tok1", "tok2", "tok3"],
        dkim_origin="AWS_SES",
        dkim_signing_zone="dkim.amazonses.com",
        mail_from_domain="bounce.example.com",
        mail_from_status="SUCCESS",
    )
    RegionalIdentityFactory(
        identity=domain,
        region=euw1,
        verification_status="PENDING",
        verified_for_sending=False,
        dkim_status="PENDING",
        dkim_tokens=["eu1", "eu2", "eu3"],
        dkim_signing_zone="dkim.eu-west-1.amazonses.com",
    )
    return {"acc": acc, "use1": use1, "euw1": euw1, "apse2": apse2, "address": address,
            "domain": domain}  # fmt: skip


def test_it_requires_login(client, setup):
    response = client.get(f"/identities/{setup['address'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_identity_is_404(viewer_client, setup):
    assert viewer_client.get("/identities/999999/").status_code == 404


@pytest.mark.parametrize("who", ["viewer_client", "operator_client", "admin_client_role"])
def test_every_role_sees_state_in_each_region(request, who, setup):
    html = request.getfixturevalue(who).get(f"/identities/{setup['address'].pk}/").content.decode()
    assert "ops@example.net" in html
    for code in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        assert f'<span class="mono">{code}</span>' in html
    assert "FAILED" in html
    assert "Verification failed" in html  # the blocker, with its remedy
    assert "Resend the verification email and click the link within 24 hours." in html
    assert "Not an identity in ap-southeast-2. It exists in eu-west-1, us-east-1." in html


def test_address_walkthrough_explains_the_email_steps(viewer_client, setup):
    html = viewer_client.get(f"/identities/{setup['address'].pk}/").content.decode()
    assert "The link expires after 24 hours." in html
    assert "spam or junk folder" in html
    assert "spelling" in html
    assert "Resend the verification email" in html
    # FAILED there: the link expired, it is not "pending" (the walkthrough says so)
    assert "The verification link expired</strong> in eu-west-1" in html


def test_domain_page_lists_the_records_each_region_needs(viewer_client, setup):
    html = viewer_client.get(f"/identities/{setup['domain'].pk}/").content.decode()
    # No DNS check yet: each region lists what to publish, and says it is not checked.
    assert html.count("records to publish — not checked yet") == 2
    assert "tok1._domainkey.example.com" in html and "tok1.dkim.amazonses.com" in html
    # Each region's own tokens and signing zone.
    assert "eu1._domainkey.example.com" in html and "eu1.dkim.eu-west-1.amazonses.com" in html
    assert "10 feedback-smtp.us-east-1.amazonses.com" in html
    # Adding it elsewhere: DEED from the region whose DKIM is verified, and BYODKIM.
    assert 'value="deed"' in html and "reuse the DKIM records of" in html
    assert f'<option value="{setup["use1"].pk}">us-east-1</option>' in html
    assert f'<option value="{setup["euw1"].pk}">' not in html  # DKIM still pending there
    assert "BYODKIM" in html


def test_domain_page_shows_one_dns_card_nameserver_table_once_checked(viewer_client, setup):
    use1 = RegionalIdentity.objects.get(identity=setup["domain"], region=setup["use1"])
    DnsCheckFactory(regional_identity=use1, name="tok1._domainkey.example.com",
                    expected="tok1.dkim.amazonses.com")  # fmt: skip
    html = viewer_client.get(f"/identities/{setup['domain'].pk}/").content.decode()
    assert html.count('id="dns-records"') == 1
    assert "DNS records to publish" not in html  # the old second card is gone
    # us-east-1 was probed: its nameserver table only, not the plain list as well.
    assert html.count("table compact dns-table") == 1
    assert "10 feedback-smtp.us-east-1.amazonses.com" not in html
    # eu-west-1 was not: the records SES expects, with the way to check them.
    assert html.count("records to publish — not checked yet") == 1
    assert html.count("table compact records") == 1
    assert "eu1._domainkey.example.com" in html
    assert 'type="submit" form="dns-check-form"' in html


def test_publish_dns_remedy_links_to_the_dns_card(viewer_client, setup):
    html = viewer_client.get(f"/identities/{setup['domain'].pk}/").content.decode()
    assert f'href="/identities/{setup["domain"].pk}/#dns-records">See the records' in html


def test_address_page_links_to_its_domain_identity_of_the_same_account(viewer_client, setup):
    address = IdentityFactory(account=setup["acc"], name="ops@example.com")
    html = viewer_client.get(f"/identities/{address.pk}/").content.decode()
    assert f'Its domain <a href="/identities/{setup["domain"].pk}/">example.com</a>' in html
    assert 'id="dns-records"' not in html


def test_address_page_without_its_domain_hints_at_verifying_the_domain(viewer_client, setup):
    # ops@example.net: example.net is an identity of another account only.
    IdentityFactory(account=AwsAccountFactory(label="other"), name="example.net")
    html = viewer_client.get(f"/identities/{setup['address'].pk}/").content.decode()
    assert "Its domain <a" not in html
    assert "verifying the domain <code>example.net</code> as an identity verifies every" in html
    assert 'id="dns-records"' not in html


def test_timeline_shows_this_identitys_events_of_this_account_only(viewer_client, setup):
    EventFactory(account=setup["acc"], region=setup["euw1"], identity_name="ops@example.net",
                 subject="verification_status", before="PENDING", after="FAILED")  # fmt: skip
    EventFactory(
        kind=Event.Kind.ACTION,
        actor_name="alice",
        account=setup["acc"],
        identity_name="ops@example.net",
        subject="resend_verification",
        result="ok",
    )
    other = AwsAccountFactory(label="other")
    EventFactory(account=other, identity_name="ops@example.net", subject="from_other_account")
    EventFactory(account=setup["acc"], identity_name="someone@else.example", subject="unrelated")
    html = viewer_client.get(f"/identities/{setup['address'].pk}/").content.decode()
    assert "PENDING → FAILED" in html
    assert "resend_verification" in html and "alice" in html
    assert "from_other_account" not in html and "unrelated" not in html


def test_viewer_sees_the_actions_disabled(viewer, operator, setup):
    url = f"/identities/{setup['address'].pk}/"
    as_viewer, as_operator = Client(), Client()
    as_viewer.force_login(viewer)
    as_operator.force_login(operator)
    assert 'disabled title="Needs the operator role"' in as_viewer.get(url).content.decode()
    assert "Needs the operator role" not in as_operator.get(url).content.decode()


def test_htmx_request_gets_the_regions_table_only(viewer_client, setup):
    response = viewer_client.get(f"/identities/{setup['address'].pk}/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="identity-regions"' in html
    assert "HX-Request" in response["Vary"]


def test_the_domain_page_shows_the_dns_card_from_the_view(viewer_client, setup):
    # The card's data comes from the view (dns_sections), not from a query in the template.
    response = viewer_client.get(f"/identities/{setup['domain'].pk}/")
    html = response.content.decode()
    assert 'id="dns-records"' in html
    assert [s.ri.region.code for s in response.context["dns_sections"]] == sorted(
        s.ri.region.code for s in response.context["dns_sections"]
    )
    assert len(response.context["dns_sections"]) == 2


def test_query_count_does_not_grow_with_regions_or_events(viewer_client, setup):
    url = f"/identities/{setup['address'].pk}/"
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(url)
    for code in ("us-west-2", "eu-central-1", "sa-east-1"):
        RegionalIdentityFactory(identity=setup["address"],
                                region=RegionFactory(account=setup["acc"], code=code))  # fmt: skip
    for _ in range(20):
        EventFactory(account=setup["acc"], identity_name="ops@example.net", subject="x")
    with CaptureQueriesContext(connection) as large:
        viewer_client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_failed_address_is_told_its_link_expired_not_pending(viewer_client, world):
    # ops@example.net is FAILED in eu-west-1 (the conftest world)
    html = viewer_client.get(f"/identities/{world['address'].pk}/").content.decode()
    assert "The verification link expired</strong> in eu-west-1" in html
    assert "(pending in eu-west-1" not in html


def test_a_free_mail_address_is_never_told_to_verify_its_domain(viewer_client, world):
    from tests.factories import IdentityFactory, RegionalIdentityFactory

    hire = IdentityFactory(account=world["acc"], name="new-hire@gmail.com")
    RegionalIdentityFactory(identity=hire, region=world["use1"], verification_status="PENDING",
                            verified_for_sending=False)  # fmt: skip
    html = viewer_client.get(f"/identities/{hire.pk}/").content.decode()
    assert "verifying the domain" not in html
    assert "mailbox provider" in html
    other = viewer_client.get(f"/identities/{world['address'].pk}/").content.decode()
    assert "verifying the domain <code>example.net</code>" in other
