"""The production-access service, with SES faked at the chokepoint (regions.ses.client_for)."""

from __future__ import annotations

import pytest

from regions.access import AccessDetails, production_access_submit
from regions.models import Event, ProductionAccessRequest
from regions.ses_types import SesError
from tests.factories import AwsAccountFactory, RegionFactory
from tests.fake_ses import CONFLICT_TEXT

pytestmark = pytest.mark.django_db

DETAILS = AccessDetails(
    mail_type="TRANSACTIONAL",
    website_url="https://www.example.com",
    contact_language="EN",
    use_case_description="Receipts.",
    additional_contacts=["ops@example.com"],
)


def puts(fake, code: str) -> list[dict]:
    """What PutAccountDetails received in one region."""
    return [kwargs for region, kwargs in fake.ops("put_account_details") if region == code]


@pytest.fixture
def sandbox_regions():
    account = AwsAccountFactory(label="prod")
    return [
        RegionFactory(account=account, code=code, production_access_enabled=False)
        for code in ("eu-west-1", "us-east-1")
    ]


def test_it_submits_to_each_region_and_stores_request_submitter_and_answer(
    fake_ses, sandbox_regions, admin_user
):
    answers = production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)

    assert [a.outcome for a in answers] == ["submitted", "submitted"]
    for code in ("eu-west-1", "us-east-1"):
        (put,) = puts(fake_ses, code)
        assert put == {
            "mail_type": "TRANSACTIONAL",
            "website_url": "https://www.example.com",
            "contact_language": "EN",
            "use_case_description": "Receipts.",
            "additional_contacts": ["ops@example.com"],
            "production_access": True,
        }
    rows = ProductionAccessRequest.objects.order_by("region__code")
    assert [(r.region.code, r.outcome, r.review_status, r.case_id) for r in rows] == [
        ("eu-west-1", "submitted", "PENDING", "case-eu-west-1"),
        ("us-east-1", "submitted", "PENDING", "case-us-east-1"),
    ]
    assert all(r.submitted_by == admin_user for r in rows)
    assert all(r.additional_contacts == ["ops@example.com"] for r in rows)
    assert "case-eu-west-1" in rows[0].ses_message
    # our data shows the running review at once (the wizard disables the button)
    for region in sandbox_regions:
        region.refresh_from_db()
        assert region.review_status == "PENDING"
        assert region.review_case_id == f"case-{region.code}"


def test_it_writes_an_audit_event_per_region(fake_ses, sandbox_regions, admin_user):
    production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)
    events = Event.objects.filter(subject="production_access").order_by("region__code")
    assert [(e.region.code, e.actor, e.kind, e.result) for e in events] == [
        ("eu-west-1", admin_user, Event.Kind.ACTION, Event.Result.OK),
        ("us-east-1", admin_user, Event.Kind.ACTION, Event.Result.OK),
    ]
    assert events[0].actor_name == admin_user.username


def test_a_conflict_is_stored_once_with_ses_message_and_no_second_submitted_row(
    fake_ses, sandbox_regions, admin_user
):
    region = sandbox_regions[0]
    production_access_submit(regions=[region], details=DETAILS, user=admin_user)
    (answer,) = production_access_submit(regions=[region], details=DETAILS, user=admin_user)

    assert answer.outcome == "conflict"
    assert answer.message == CONFLICT_TEXT
    rows = ProductionAccessRequest.objects.filter(region=region)
    assert sorted(rows.values_list("outcome", flat=True)) == ["conflict", "submitted"]
    conflict_event = Event.objects.get(subject="production_access", after="conflict")
    assert conflict_event.result == Event.Result.ERROR
    assert conflict_event.message == CONFLICT_TEXT


def test_an_error_in_one_region_does_not_stop_the_others(fake_ses, sandbox_regions, admin_user):
    fake_ses.errors["put_account_details", "eu-west-1"] = SesError(
        "AccessDeniedException",
        "not allowed",
        permanent=True,
        http_status=403,
        operation="PutAccountDetails",
    )
    answers = production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)
    assert [a.outcome for a in answers] == ["error", "submitted"]
    assert "access denied" in answers[0].message
    sandbox_regions[0].refresh_from_db()
    assert sandbox_regions[0].review_status == ""  # nothing started there


def test_empty_optional_fields_are_not_sent(fake_ses, sandbox_regions, admin_user):
    details = AccessDetails(mail_type="MARKETING", website_url="https://example.org")
    production_access_submit(regions=sandbox_regions[:1], details=details, user=admin_user)
    (put,) = puts(fake_ses, "eu-west-1")
    assert put["use_case_description"] is None
    assert put["additional_contacts"] is None
    assert put["production_access"] is True


def test_an_unanswered_request_says_the_next_sync_tells_and_late_regions_are_not_tried(
    fake_ses, sandbox_regions, admin_user, monkeypatch
):
    from regions import ses
    from regions.ses_types import UNANSWERED

    fake_ses.errors["put_account_details", "eu-west-1"] = SesError(
        UNANSWERED, "SES did not answer in 5 s", permanent=False
    )
    answers = production_access_submit(
        regions=sandbox_regions[:1], details=DETAILS, user=admin_user
    )
    assert answers[0].request.ses_message == (
        "SES did not answer in 5 s; the next sync shows whether the request was received."
    )
    monkeypatch.setattr(ses, "INTERACTIVE_START_WITHIN", -1)  # the page's budget is spent
    late = production_access_submit(regions=sandbox_regions[1:], details=DETAILS, user=admin_user)
    assert late[0].outcome == "error"
    assert late[0].request.ses_message.startswith("Not sent: SES was slow")
    assert puts(fake_ses, "us-east-1") == []
