"""The action services called directly (as the API and commands do), and the DKIM form.

The pages' behaviour (roles, htmx, messages) is proven in tests/identities/views/test_actions.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from identities import actions
from identities.actions import ActionOutcome, DkimChoice
from identities.forms import AddToRegionsForm
from regions.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return User.objects.create(username="ops")


def test_resend_returns_an_outcome_per_region_and_audits_as_the_user(world, fake_ses, user):
    outcome = actions.resend_verification(identity=world["address"], user=user)
    assert isinstance(outcome, ActionOutcome) and outcome.ok and outcome.level == "success"
    # Only eu-west-1 is unverified: us-east-1 is left alone.
    assert [(i.region, i.ok) for i in outcome.items] == [("eu-west-1", True)]
    assert fake_ses.calls == [("verify_email", "eu-west-1", "ops@example.net")]
    event = Event.objects.get(subject="resend_verification")
    assert event.actor == user and event.region == world["euw1"]


def test_resend_limited_to_given_regions_sends_nothing_elsewhere(world, fake_ses, user):
    outcome = actions.resend_verification(
        identity=world["address"], regions=[world["use1"]], user=user
    )
    assert outcome.level == "warning" and "Nothing to resend" in outcome.message
    assert fake_ses.calls == []


def test_add_to_regions_with_a_deed_parent_creates_and_returns_records(world, fake_ses, user):
    outcome = actions.add_to_regions(
        identity=world["domain"],
        regions=[world["euw1"]],
        dkim=DkimChoice(mode="deed", parent=world["use1"]),
        user=user,
    )
    assert outcome.ok and outcome.regions_changed
    assert fake_ses.calls[0][3] == {"dkim_origin": "AWS_SES_US_EAST_1"}
    assert outcome.items[0].records  # the DNS records to publish for the new region


def test_add_to_regions_skips_regions_where_it_exists_and_other_accounts(world, fake_ses, user):
    outcome = actions.add_to_regions(
        identity=world["domain"], regions=[world["use1"]], dkim=DkimChoice(), user=user
    )
    assert outcome.level == "error" and fake_ses.calls == []


def test_sync_now_queues_each_region_the_identity_is_in(world, queued, user):
    outcome = actions.sync_now(identity=world["address"], user=user)
    assert outcome.ok
    assert sorted(queued.calls) == [("eu-west-1", "ops"), ("us-east-1", "ops")]


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [({"mode": "deed"}, "parent"), ({"mode": "byodkim", "selector": "s"}, "private key")],
)
def test_a_dkim_choice_missing_its_parts_is_refused(kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        DkimChoice(**kwargs)


def test_the_form_turns_the_post_into_regions_and_a_dkim_choice(world):
    pem = "-----BEGIN PRIVATE KEY-----\nAB\nCD\n-----END PRIVATE KEY-----"
    data = {"regions": [str(world["euw1"].pk), "junk"], "dkim": "byodkim", "selector": "Sel",
            "private_key": pem}  # fmt: skip
    form = AddToRegionsForm(data, identity=world["domain"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["regions"] == [world["euw1"]]
    assert form.cleaned_data["dkim_choice"] == DkimChoice(
        mode="byodkim", selector="sel", private_key="ABCD"
    )


def test_the_form_refuses_an_unknown_dkim_mode(world):
    form = AddToRegionsForm(
        {"regions": [str(world["euw1"].pk)], "dkim": "rot13"}, identity=world["domain"]
    )
    assert not form.is_valid() and "rot13" in form.first_error()
