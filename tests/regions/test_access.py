"""The production-access service, with SES faked at the chokepoint (regions.ses.client_for)."""

from __future__ import annotations

import pytest

from regions import ses
from regions.access import AccessDetails, production_access_submit
from regions.models import Event, ProductionAccessRequest
from regions.ses_types import AccountState, SesError
from tests.factories import AwsAccountFactory, RegionFactory

pytestmark = pytest.mark.django_db

DETAILS = AccessDetails(
    mail_type="TRANSACTIONAL",
    website_url="https://www.example.com",
    contact_language="EN",
    use_case_description="Receipts.",
    additional_contacts=["ops@example.com"],
)
CONFLICT_TEXT = "A review of your production access request is already in progress."


class FakeSes:
    """One region of SES's account API: a review starts on the first request, Conflict after."""

    def __init__(self, code: str, *, fail: SesError | None = None) -> None:
        self.code = code
        self.fail = fail
        self.review = ""
        self.case_id = ""
        self.puts: list[dict] = []

    def put_account_details(self, **kwargs):
        self.puts.append(kwargs)
        if self.fail:
            raise self.fail
        if self.review == "PENDING":
            raise SesError("ConflictException", CONFLICT_TEXT, permanent=True, http_status=409)
        self.review, self.case_id = "PENDING", f"case-{self.code}"

    def get_account(self) -> AccountState:
        return AccountState(
            production_access_enabled=False,
            sending_enabled=True,
            enforcement_status="HEALTHY",
            max_24_hour_send=200.0,
            max_send_rate=1.0,
            sent_last_24_hours=0.0,
            review_status=self.review,
            review_case_id=self.case_id,
        )


@pytest.fixture
def fakes(monkeypatch):
    clients: dict[str, FakeSes] = {}

    def client_for(account, code):
        return clients.setdefault(code, FakeSes(code))

    monkeypatch.setattr(ses, "client_for", client_for)
    return clients


@pytest.fixture
def sandbox_regions():
    account = AwsAccountFactory(label="prod")
    return [
        RegionFactory(account=account, code=code, production_access_enabled=False)
        for code in ("eu-west-1", "us-east-1")
    ]


def test_it_submits_to_each_region_and_stores_request_submitter_and_answer(
    fakes, sandbox_regions, admin_user
):
    answers = production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)

    assert [a.outcome for a in answers] == ["submitted", "submitted"]
    for code in ("eu-west-1", "us-east-1"):
        (put,) = fakes[code].puts
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


def test_it_writes_an_audit_event_per_region(fakes, sandbox_regions, admin_user):
    production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)
    events = Event.objects.filter(subject="production_access").order_by("region__code")
    assert [(e.region.code, e.actor, e.kind, e.result) for e in events] == [
        ("eu-west-1", admin_user, Event.Kind.ACTION, Event.Result.OK),
        ("us-east-1", admin_user, Event.Kind.ACTION, Event.Result.OK),
    ]
    assert events[0].actor_name == admin_user.username


def test_a_conflict_is_stored_once_with_ses_message_and_no_second_submitted_row(
    fakes, sandbox_regions, admin_user
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


def test_an_error_in_one_region_does_not_stop_the_others(fakes, sandbox_regions, admin_user):
    fakes["eu-west-1"] = FakeSes(
        "eu-west-1",
        fail=SesError(
            "AccessDeniedException",
            "not allowed",
            permanent=True,
            http_status=403,
            operation="PutAccountDetails",
        ),
    )
    answers = production_access_submit(regions=sandbox_regions, details=DETAILS, user=admin_user)
    assert [a.outcome for a in answers] == ["error", "submitted"]
    assert "access denied" in answers[0].message
    sandbox_regions[0].refresh_from_db()
    assert sandbox_regions[0].review_status == ""  # nothing started there


def test_empty_optional_fields_are_not_sent(fakes, sandbox_regions, admin_user):
    details = AccessDetails(mail_type="MARKETING", website_url="https://example.org")
    production_access_submit(regions=sandbox_regions[:1], details=details, user=admin_user)
    (put,) = fakes["eu-west-1"].puts
    assert put["use_case_description"] is None
    assert put["additional_contacts"] is None
    assert put["production_access"] is True
