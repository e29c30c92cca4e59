"""End to end against the SES emulator: submit in two regions through the wizard, SES reviews
PENDING -> GRANTED in one and DENIED in the other, the sync picks it up, and the grid's sandbox
blockers disappear only where production access was granted. A resubmission while the review
runs shows SES's Conflict message and stores nothing twice.

The real path runs: the view, regions.access, the regions.ses chokepoint (boto3 with
AWS_ENDPOINT_URL pointed at the emulator), identities.sync.run and the blockers engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from emulator.testing import run_emulator
from identities.blockers.states import cells_for
from identities.models import Identity
from identities.sync.run import sync_region
from regions import ses
from regions.models import AwsAccount, Event, ProductionAccessRequest, Region
from tests.identities.ses_backends import ses_env  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ACCOUNT_ID = "222222222222"
ACCESS_KEY = "AKIAREGIONSWIZARD001"
CODES = ("eu-west-1", "us-east-1")
SENDER = "ops@example.com"
FORM = {
    "mail_type": "TRANSACTIONAL",
    "website_url": "https://www.example.com",
    "contact_language": "EN",
    "use_case_description": "Receipts and password resets for our shop, about 2,000 a day.",
    "additional_contacts": "ops@example.com",
}


def _scenario() -> dict:
    return {
        # Reviews stay PENDING until the test ends them through the control API.
        "review_delay_seconds": 10**9,
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "label": "prod",
                "access_keys": [ACCESS_KEY],
                "regions": {
                    code: {
                        "production": False,
                        "identities": [{"name": SENDER, "status": "SUCCESS"}],
                    }
                    for code in CODES
                },
            }
        ],
    }


@pytest.fixture
def emu(ses_env) -> Iterator:  # noqa: F811  (the imported fixture)
    with run_emulator(_scenario()) as running:
        ses_env.setenv("AWS_ENDPOINT_URL", running.url)
        ses_env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        ses.clear_client_cache()
        yield running


@pytest.fixture
def regions(emu) -> dict[str, Region]:
    account = AwsAccount.objects.create(label="prod", account_id=ACCOUNT_ID)
    out = {code: Region.objects.create(account=account, code=code) for code in CODES}
    _sync_all(out)
    return out


def _sync_all(regions: dict[str, Region]) -> None:
    for code, region in regions.items():
        run = sync_region(region, trigger="test")
        assert run.status == "succeeded", (code, run.status, run.error)
        region.refresh_from_db()


def _sandbox_blocked(regions: dict[str, Region]) -> dict[str, bool]:
    """Region code -> does the grid cell of SENDER carry the `sandbox` blocker there?"""
    identity = Identity.objects.get(name=SENDER)
    rows = list(
        Region.objects.select_related("account").filter(pk__in=[r.pk for r in regions.values()])
    )
    cells = cells_for([identity], rows)
    return {
        r.code: any(b.code == "sandbox" for b in cells[(identity.pk, r.pk)].blockers) for r in rows
    }


def _submit(client, region: Region, targets: list[Region]):
    url = reverse("production_access_submit", args=[region.pk])
    return client.post(url, {**FORM, "regions": [r.pk for r in targets]}, follow=True)


def test_review_granted_in_one_region_and_denied_in_the_other(emu, regions, admin_client_role):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    assert _sandbox_blocked(regions) == {"eu-west-1": True, "us-east-1": True}

    # One submission, two regions.
    response = _submit(admin_client_role, west, [west, east])
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-region="eu-west-1" data-outcome="submitted"' in html
    assert 'data-region="us-east-1" data-outcome="submitted"' in html
    stored = {r.region.code: r for r in ProductionAccessRequest.objects.all()}
    assert set(stored) == set(CODES)
    seen_by_emulator = emu.control("GET", f"regions/{ACCOUNT_ID}/eu-west-1")
    assert seen_by_emulator["review"]["status"] == "PENDING"
    assert stored["eu-west-1"].case_id == seen_by_emulator["review"]["case_id"]

    # The sync reads the running reviews back.
    _sync_all(regions)
    assert (west.review_status, east.review_status) == ("PENDING", "PENDING")
    assert west.review_case_id == stored["eu-west-1"].case_id

    # SES decides.
    emu.control("POST", f"review/{ACCOUNT_ID}/us-east-1", {"status": "GRANTED"})
    emu.control("POST", f"review/{ACCOUNT_ID}/eu-west-1", {"status": "DENIED"})
    _sync_all(regions)
    assert east.production_access_enabled is True and east.review_status == "GRANTED"
    assert west.production_access_enabled is False and west.review_status == "DENIED"

    # The grid's sandbox blocker is gone only where access was granted.
    assert _sandbox_blocked(regions) == {"eu-west-1": True, "us-east-1": False}

    # Both outcomes are in the event log.
    left = Event.objects.get(region=east, subject="production_access", kind=Event.Kind.ACCOUNT)
    assert (left.before, left.after) == ("sandbox", "production")
    denied = Event.objects.get(region=west, subject="review_status", after="DENIED")
    assert denied.before == "PENDING"

    # The regions page shows it.
    page = admin_client_role.get(reverse("regions")).content.decode()
    assert "Review granted" in page and "Review denied" in page
    # A denial says what to do next, with the support case to answer in.
    assert f"reply in the AWS Support case <code>{west.review_case_id}</code>" in page


def test_a_resubmission_while_pending_shows_ses_conflict_and_stores_nothing_twice(
    emu, regions, admin_client_role
):
    west = regions["eu-west-1"]
    _submit(admin_client_role, west, [west])
    case_id = emu.control("GET", f"regions/{ACCOUNT_ID}/eu-west-1")["review"]["case_id"]

    # Our data already says PENDING: the wizard disables the region...
    form_page = admin_client_role.get(
        reverse("production_access", args=[west.pk]) + "?step=form"
    ).content.decode()
    assert f'value="{west.pk}" disabled' in form_page
    # ...and a POST that gets through anyway reaches SES, which answers Conflict.
    response = _submit(admin_client_role, west, [west])
    html = response.content.decode()
    assert 'data-region="eu-west-1" data-outcome="conflict"' in html
    assert "A review of your production access request is already in progress." in html

    rows = ProductionAccessRequest.objects.filter(region=west)
    assert sorted(rows.values_list("outcome", flat=True)) == ["conflict", "submitted"]
    assert rows.filter(outcome="submitted").count() == 1
    # SES still holds the first review, untouched.
    review = emu.control("GET", f"regions/{ACCOUNT_ID}/eu-west-1")["review"]
    assert (review["status"], review["case_id"]) == ("PENDING", case_id)


def _decisions(request: ProductionAccessRequest) -> list[tuple[str, bool]]:
    """(status, has a case id) of each decision the request got, in order."""
    return [(d.status, bool(d.case_id)) for d in request.decisions.order_by("observed_at", "id")]


def test_the_history_shows_each_review_decision_not_pending_forever(
    emu, regions, admin_client_role
):
    west = regions["eu-west-1"]
    _submit(admin_client_role, west, [west])
    first = ProductionAccessRequest.objects.get(region=west)
    _sync_all(regions)  # still PENDING: nothing new
    assert _decisions(first) == [("PENDING", True)]

    emu.control("POST", f"review/{ACCOUNT_ID}/eu-west-1", {"status": "DENIED"})
    _sync_all(regions)
    first.refresh_from_db()
    assert _decisions(first) == [("PENDING", True), ("DENIED", True)]
    assert (first.review_status, first.case_id) == ("DENIED", west.review_case_id)

    # Resubmitted after answering the case: a new request, a new review.
    _submit(admin_client_role, west, [west])
    second = ProductionAccessRequest.objects.filter(region=west).order_by("-id").first()
    emu.control("POST", f"review/{ACCOUNT_ID}/eu-west-1", {"status": "GRANTED"})
    _sync_all(regions)
    second.refresh_from_db()
    assert _decisions(second) == [("PENDING", True), ("GRANTED", True)]
    assert second.review_status == "GRANTED"
    assert _decisions(first) == [("PENDING", True), ("DENIED", True)]  # its own, kept

    page = admin_client_role.get(reverse("production_access", args=[west.pk])).content.decode()
    history = page[page.index('id="history"') :]
    first_row = history[history.index(f'id="request-{first.pk}"') :]
    assert first_row.index("<strong>PENDING</strong>") < first_row.index("<strong>DENIED</strong>")
    assert f"(case <code>{first.case_id}</code>)" in first_row
    assert "Review granted" in history[history.index(f'id="request-{second.pk}"') :]


def test_a_review_made_outside_sesops_is_listed_apart_and_a_late_case_id_completes_it(
    emu, regions, admin_client_role
):
    from regions.reviews import observe_review

    west = regions["eu-west-1"]
    observe_review(west, status="PENDING", case_id="", source="sync")
    completed = observe_review(west, status="PENDING", case_id="12345", source="sync")
    assert completed is not None and west.review_decisions.count() == 1
    assert observe_review(west, status="PENDING", case_id="12345", source="sync") is None

    page = admin_client_role.get(reverse("production_access", args=[west.pk])).content.decode()
    assert "Review decisions seen in SES without a request from sesops" in page
    assert "PENDING (case <code>12345</code>)" in page
