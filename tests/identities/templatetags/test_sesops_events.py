"""An activity log people read: events said in words, and who did it."""

from __future__ import annotations

import pytest

from identities.templatetags.sesops_events import event_actor, event_sentence_for
from regions.models import Event
from tests.factories import EventFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "subject", "before", "after", "result", "said"),
    [
        ("status", "verification_status", "PENDING", "SUCCESS", "", "Verification succeeded"),
        ("status", "verified_for_sending", "False", "True", "", "Verified for sending"),
        ("status", "dkim_status", "PENDING", "FAILED", "", "DKIM failed"),
        ("status", "sending_enabled", "True", "False", "", "Sending paused"),
        ("dns", "dns dkim CNAME", "new", "missing", "", "DNS DKIM CNAME record missing"),
        (
            "dns",
            "dns mail_from_spf TXT",
            "missing",
            "ok",
            "",
            "DNS MAIL FROM SPF TXT record now correct",
        ),
        (
            "account",
            "review_status",
            "PENDING",
            "GRANTED",
            "",
            "Production access granted (case 123)",
        ),
        (
            "action",
            "production_access",
            "",
            "PENDING",
            "ok",
            "Production access requested (case 123)",
        ),
        ("action", "resend_verification", "", "", "ok", "Verification email resent"),
        (
            "action",
            "resend_verification",
            "",
            "",
            "refused",
            "Resending the verification email refused",
        ),
        ("action", "sync_now", "", "", "error", "Requesting a sync failed"),
        ("status", "something_new", "a", "b", "", "Something new: a → b"),
    ],
)
def test_events_are_said_in_words(kind, subject, before, after, result, said):
    region = RegionFactory(code="ap-southeast-2", review_case_id="123")
    event = EventFactory(kind=kind, region=region, subject=subject, before=before, after=after,
                         result=result)  # fmt: skip
    assert event_sentence_for(event) == said


def test_who_says_person_sync_schedule_or_command():
    olivia = user_with_role("olivia", "operator")
    assert event_actor(EventFactory(actor=olivia, actor_name="olivia")) == ("person", "olivia")
    assert event_actor(EventFactory(actor_name="sync")) == ("sync", "")
    assert event_actor(EventFactory(actor_name="beat")) == ("schedule", "")
    assert event_actor(EventFactory(actor_name="command")) == ("command", "")


def test_the_activity_page_reads_as_sentences(admin_client_role):
    EventFactory(kind=Event.Kind.STATUS, subject="verified_for_sending", before="False",
                 after="True", region=RegionFactory(code="ap-southeast-2"),
                 identity_name="ops@example.net")  # fmt: skip
    html = admin_client_role.get("/activity/").content.decode()
    assert ">Verified for sending</strong>" in html
    assert "False → True" in html  # kept for whoever needs it, in the title
