"""Control and bidi-override characters from SES data are shown, not obeyed: `<U+202E>` in
CLI tables and pages; the grid's links carry account labels whole (urlencode); the zone
file's name is built by Django's Content-Disposition helper."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from regions.visible import visible
from tests.factories import (
    AwsAccountFactory,
    IdentityFactory,
    RegionalIdentityFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = "ceo\u202egnp.exe@example.com"  # shows as "ceo" + "exe.png@..." reversed


def test_visible_names_every_steering_character():
    assert visible(HOSTILE) == "ceo<U+202E>gnp.exe@example.com"
    assert visible("a\x1b[2Jb\rc\x00") == "a<U+001B>[2Jb<U+000D>c<U+0000>"  # CLI: \r too
    assert visible("plain\tname\n") == "plain\tname\n"


def test_pages_show_a_bidi_override_visibly(viewer_client):
    ri = RegionalIdentityFactory(identity=IdentityFactory(name=HOSTILE))
    for url in ("/", f"/identities/{ri.identity_id}/", f"/?q={ri.identity.name[:3]}"):
        html = viewer_client.get(url).content.decode()
        assert "\u202e" not in html, url
        assert "&lt;U+202E&gt;" in html, url


def test_ses_report_tables_show_a_bidi_override_visibly():
    RegionalIdentityFactory(identity=IdentityFactory(name=HOSTILE))
    out = StringIO()
    call_command("ses_report", "--format", "table", stdout=out)
    assert "ceo<U+202E>gnp.exe@example.com" in out.getvalue()
    assert "\u202e" not in out.getvalue()


def test_open_in_the_grid_keeps_an_account_label_with_ampersand_and_hash(viewer_client):
    account = AwsAccountFactory(label="R&D team#1")
    RegionFactory(account=account, code="eu-west-1")  # ops@ is missing here: a grid link
    RegionalIdentityFactory(identity=IdentityFactory(account=account, name="ops@rd.example"))
    html = viewer_client.get("/regions/").content.decode()
    assert "?account=R%26D+team%231&amp;region=eu-west-1" in html


def test_the_zone_file_name_comes_from_djangos_helper_and_a_bad_region_is_a_400(viewer_client):
    ri = RegionalIdentityFactory(identity=IdentityFactory(name="example.com"))
    url = f"/identities/{ri.identity_id}/dns/zone-file/"
    response = viewer_client.get(url, {"region": ri.region_id})
    assert response["Content-Disposition"] == (
        f'attachment; filename="example.com-{ri.region_id}.zone"'
    )
    bad = viewer_client.get(url, {"region": '1"; filename="evil.exe'})
    assert bad.status_code == 400
    assert "region:" in bad.content.decode()
