"""ProductionAccessForm applies the limits of SES's PutAccountDetails model (botocore sesv2)."""

from __future__ import annotations

import pytest
from botocore.loaders import Loader

from regions.forms import (
    CONTACTS_MAX,
    USE_CASE_MAX,
    WEBSITE_URL_MAX,
    ProductionAccessForm,
)
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory(code="eu-west-1", production_access_enabled=False)


def _form(region, **overrides):
    data = {
        "regions": [str(region.pk)],
        "mail_type": "TRANSACTIONAL",
        "website_url": "https://www.example.com",
        "contact_language": "EN",
        "use_case_description": "Receipts and password resets.",
        "additional_contacts": "ops@example.com",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return ProductionAccessForm(data, regions=[region])


def test_the_limits_match_botocores_model():
    shapes = Loader().load_service_model("sesv2", "service-2")["shapes"]
    assert shapes["WebsiteURL"]["max"] == WEBSITE_URL_MAX
    assert shapes["UseCaseDescription"]["max"] == USE_CASE_MAX
    assert shapes["AdditionalContactEmailAddresses"]["max"] == CONTACTS_MAX
    assert shapes["AdditionalContactEmailAddresses"]["min"] == 1
    assert set(shapes["MailType"]["enum"]) == {"MARKETING", "TRANSACTIONAL"}
    assert set(shapes["ContactLanguage"]["enum"]) == {"EN", "JA"}
    required = shapes["PutAccountDetailsRequest"]["required"]
    assert set(required) == {"MailType", "WebsiteURL"}


def test_a_complete_request_is_valid_and_maps_to_ses_fields(region):
    form = _form(region, additional_contacts="ops@example.com, Sec@Example.com\nops@example.com")
    assert form.is_valid(), form.errors
    details = form.details()
    assert details.mail_type == "TRANSACTIONAL"
    assert details.website_url == "https://www.example.com"
    assert details.contact_language == "EN"
    # duplicates dropped (case-insensitively), order kept
    assert details.additional_contacts == ["ops@example.com", "Sec@Example.com"]
    assert list(form.cleaned_data["regions"]) == [region]


def test_only_required_fields_is_valid(region):
    form = _form(region, use_case_description="", additional_contacts="")
    assert form.is_valid(), form.errors
    assert form.details().additional_contacts == []
    assert form.details().use_case_description == ""


@pytest.mark.parametrize("mail_type", [None, "", "PROMOTIONAL", "transactional"])
def test_mail_type_must_be_marketing_or_transactional(region, mail_type):
    form = _form(region, mail_type=mail_type)
    assert not form.is_valid()
    assert "mail_type" in form.errors


@pytest.mark.parametrize("lang", ["FR", "en", "", None])
def test_contact_language_is_en_or_ja(region, lang):
    form = _form(region, contact_language=lang)
    assert not form.is_valid()
    assert "contact_language" in form.errors


def test_japanese_contact_language_is_accepted(region):
    assert _form(region, contact_language="JA").is_valid()


@pytest.mark.parametrize("url", [None, "", "not a url", "ftp://example.com", "example"])
def test_website_url_is_required_and_a_web_url(region, url):
    form = _form(region, website_url=url)
    assert not form.is_valid()
    assert "website_url" in form.errors


def test_website_url_longer_than_1000_characters_is_refused(region):
    base = "https://www.example.com/"
    ok = base + "a" * (WEBSITE_URL_MAX - len(base))
    assert _form(region, website_url=ok).is_valid()
    form = _form(region, website_url=ok + "a")
    assert not form.is_valid()
    assert "at most 1000" in str(form.errors["website_url"])


def test_use_case_description_is_capped_at_5000_characters(region):
    assert _form(region, use_case_description="x" * USE_CASE_MAX).is_valid()
    form = _form(region, use_case_description="x" * (USE_CASE_MAX + 1))
    assert not form.is_valid()
    assert "use_case_description" in form.errors


def test_four_additional_contacts_are_accepted_five_are_not(region):
    four = " ".join(f"c{i}@example.com" for i in range(4))
    assert _form(region, additional_contacts=four).is_valid()
    form = _form(region, additional_contacts=four + " c4@example.com")
    assert not form.is_valid()
    assert "at most 4" in str(form.errors["additional_contacts"])


@pytest.mark.parametrize(
    "address", ["not-an-address", "a@b", "@example.com", "x@", "a@b.c" + "c" * 250]
)
def test_additional_contacts_must_be_valid_addresses(region, address):
    form = _form(region, additional_contacts=f"ops@example.com {address}")
    assert not form.is_valid()
    assert address[:20] in str(form.errors["additional_contacts"])


def test_at_least_one_region_is_required(region):
    form = _form(region, regions=[])
    assert not form.is_valid()
    assert "Choose at least one region." in str(form.errors["regions"])


def test_a_region_outside_the_offered_ones_is_refused(region):
    other = RegionFactory(code="ap-south-1", production_access_enabled=False)
    form = _form(region, regions=[str(other.pk)])
    assert not form.is_valid()
    assert "regions" in form.errors
