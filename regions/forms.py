"""The production-access request form, validated with the limits SES's own model enforces.

Limits come from botocore's sesv2 model (`PutAccountDetailsRequest`): MailType and WebsiteURL
are required; WebsiteURL is 1-1000 characters matching the RFC 3986 pattern; ContactLanguage is
EN or JA; UseCaseDescription is at most 5000 characters; AdditionalContactEmailAddresses holds
1-4 addresses, each 6-254 characters matching `^(.+)@(.+)$`. We check them here so the user sees
a field error instead of SES's BadRequest, and add two stricter checks SES's reviewers expect
anyway: the website is an http(s) URL, and each contact is a well-formed address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from regions.access import AccessDetails
from regions.models import Region

MAIL_TYPES = [
    ("TRANSACTIONAL", "Transactional — receipts, password resets, notifications"),
    ("MARKETING", "Marketing — newsletters, offers, announcements"),
]
CONTACT_LANGUAGES = [("EN", "English"), ("JA", "Japanese")]

WEBSITE_URL_MAX = 1000
USE_CASE_MAX = 5000
CONTACTS_MIN, CONTACTS_MAX = 1, 4
CONTACT_MIN_LEN, CONTACT_MAX_LEN = 6, 254
# botocore sesv2 shapes WebsiteURL and AdditionalContactEmailAddress, verbatim.
_SES_URL_PATTERN = re.compile(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?")
_SES_ADDRESS_PATTERN = re.compile(r"^(.+)@(.+)$")
_SPLIT = re.compile(r"[\s,;]+")


class RegionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.code


class ProductionAccessForm(forms.Form):
    regions = RegionChoiceField(
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Submit to these sandbox regions",
        error_messages={"required": "Choose at least one region."},
    )
    mail_type = forms.ChoiceField(
        choices=MAIL_TYPES, widget=forms.RadioSelect, label="Mail type", initial="TRANSACTIONAL"
    )
    website_url = forms.CharField(
        label="Website URL",
        max_length=WEBSITE_URL_MAX,
        help_text="The site of the product that sends the mail; SES's reviewers look at it.",
        widget=forms.URLInput(attrs={"placeholder": "https://www.example.com"}),
    )
    contact_language = forms.ChoiceField(
        choices=CONTACT_LANGUAGES, label="Contact language", initial="EN"
    )
    use_case_description = forms.CharField(
        label="Use case description",
        required=False,
        max_length=USE_CASE_MAX,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "placeholder": (
                    "What you send and to whom; how many messages per day; how you handle "
                    "bounces and complaints; how recipients opted in and how they unsubscribe."
                ),
            }
        ),
    )
    additional_contacts = forms.CharField(
        label="Additional contacts",
        required=False,
        help_text="1 to 4 addresses SES writes to about this review (one per line, or commas).",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ops@example.com"}),
    )

    def __init__(self, *args: object, regions: Iterable[Region] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        ids = [r.pk for r in regions]
        self.fields["regions"].queryset = Region.objects.filter(pk__in=ids).select_related(
            "account"
        )

    def clean_website_url(self) -> str:
        url = self.cleaned_data["website_url"].strip()
        if not _SES_URL_PATTERN.match(url):
            raise ValidationError("SES does not accept this as a URL.")
        URLValidator(schemes=["http", "https"], message="Enter a full http(s) URL.")(url)
        return url

    def clean_additional_contacts(self) -> list[str]:
        raw = self.cleaned_data.get("additional_contacts") or ""
        addresses: list[str] = []
        seen: set[str] = set()
        for part in _SPLIT.split(raw.strip()):
            if not part or part.lower() in seen:
                continue
            seen.add(part.lower())
            addresses.append(part)
        if not addresses:
            return []  # optional in SES; an empty list is simply not sent
        if len(addresses) > CONTACTS_MAX:
            raise ValidationError(
                f"SES accepts at most {CONTACTS_MAX} additional contacts ({len(addresses)} given)."
            )
        bad = [a for a in addresses if not _valid_contact(a)]
        if bad:
            raise ValidationError(f"Not a valid email address: {', '.join(bad)}.")
        return addresses

    def details(self) -> AccessDetails:
        data = self.cleaned_data
        return AccessDetails(
            mail_type=data["mail_type"],
            website_url=data["website_url"],
            contact_language=data["contact_language"],
            use_case_description=data.get("use_case_description") or "",
            additional_contacts=list(data.get("additional_contacts") or []),
        )


_email_validator = EmailValidator()


def _valid_contact(address: str) -> bool:
    if not CONTACT_MIN_LEN <= len(address) <= CONTACT_MAX_LEN:
        return False
    if not _SES_ADDRESS_PATTERN.match(address):
        return False
    try:
        _email_validator(address)
    except ValidationError:
        return False
    return True
