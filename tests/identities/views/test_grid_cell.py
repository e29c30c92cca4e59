"""One grid cell's blockers, fetched when its popover opens (the grid renders only badges)."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acc = AwsAccountFactory(label="prod")
    use1 = RegionFactory(account=acc, code="us-east-1")
    euw1 = RegionFactory(account=acc, code="eu-west-1", production_access_enabled=False)
    pending = IdentityFactory(account=acc, name="pending@example.com")
    RegionalIdentityFactory(identity=pending, region=use1)
    RegionalIdentityFactory(
        identity=pending, region=euw1, verification_status="PENDING", verified_for_sending=False
    )
    domain = IdentityFactory(account=acc, name="example.org")
    RegionalIdentityFactory(identity=domain, region=use1, dkim_status="SUCCESS")
    return {"acc": acc, "use1": use1, "euw1": euw1, "pending": pending, "domain": domain}


def _cell(client, identity_pk: int, region_pk: int):
    return client.get(f"/identities/{identity_pk}/cell/{region_pk}/", HTTP_HX_REQUEST="true")


def test_it_requires_login(client, world):
    response = client.get(f"/identities/{world['pending'].pk}/cell/{world['euw1'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_viewer_gets_the_cells_blockers_as_a_partial(viewer_client, world):
    response = _cell(viewer_client, world["pending"].pk, world["euw1"].pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<ul class="blocker-list">')
    assert "Waiting for someone to click the link" in html


def test_a_cell_that_can_send_says_nothing_stops_it(viewer_client, world):
    html = _cell(viewer_client, world["pending"].pk, world["use1"].pk).content.decode()
    assert "Nothing stops sending here" in html


def test_blockers_link_to_their_remedy(viewer_client, world):
    pending, domain, euw1 = world["pending"], world["domain"], world["euw1"]
    html = _cell(viewer_client, pending.pk, euw1.pk).content.decode()
    # Unverified in eu-west-1: resend from its page; the sandbox: production access.
    assert f'href="/identities/{pending.pk}/#walkthrough">Resend the verification' in html
    assert f'href="/regions/{euw1.pk}/production-access/">Request production' in html
    html = _cell(viewer_client, domain.pk, euw1.pk).content.decode()
    assert f'href="/identities/{domain.pk}/#add-to-regions">Add to eu-west-1' in html


@pytest.mark.parametrize("which", ["identity", "region", "other_account"])
def test_it_answers_404_for_an_unknown_identity_or_region(viewer_client, world, which):
    identity_pk, region_pk = world["pending"].pk, world["euw1"].pk
    if which == "identity":
        identity_pk += 10_000
    elif which == "region":
        region_pk += 10_000
    else:  # a region of another account: the grid shows "n/a", there is no cell
        region_pk = RegionFactory(account=AwsAccountFactory(label="staging"), code="ap-south-1").pk
    assert _cell(viewer_client, identity_pk, region_pk).status_code == 404


def test_the_grid_badge_keeps_its_word_and_reasons_without_the_popover(viewer_client, world):
    html = viewer_client.get("/").content.decode()
    row = re.search(rf'<tr id="row-{world["pending"].pk}".*?</tr>', html, re.S).group(0)
    assert "✕</span>Blocked" in row  # an icon and a word, not only a colour
    # The reasons' titles on hover, before any fetch; "Blocked" counts what blocks only:
    # one blocker (the sandbox is a warning), so no "x2" count.
    assert re.search(r'<summary [^>]*title="Verification pending; Sandbox"', row)
    assert "×" not in row
    assert 'hx-trigger="toggle once"' in row
    assert "blocker-list" not in row  # the markup comes on demand


def test_cells_built_in_python_escape_what_they_show(viewer_client, world):
    # The cells are formatted in Python (identities/templatetags/sesops_grid.py), not by the
    # template engine: an account label is still escaped.
    odd = AwsAccountFactory(label='st<a href="x">g')
    qa = IdentityFactory(account=odd, name="qa@staging.example")
    RegionalIdentityFactory(identity=qa, region=RegionFactory(account=odd, code="ap-south-1"))
    html = viewer_client.get("/").content.decode()
    row = re.search(rf'<tr id="row-{qa.pk}".*?</tr>', html, re.S).group(0)
    assert "belongs to account st&lt;a href=&quot;x&quot;&gt;g" in row  # its n/a cells
    assert '<a href="x">' not in html
