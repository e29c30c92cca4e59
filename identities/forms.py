"""Forms of the identities app: the send check, and adding an identity to regions."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from identities.action_types import DkimChoice
from identities.blockers.deed import parent_refusal
from identities.models import Identity, RegionalIdentity
from identities.sendcheck.rules import InvalidAddress, given_address, split_recipients
from regions.models import AwsAccount, Region


def _region_choices(accounts: list[AwsAccount]) -> list[tuple[str, str]]:
    regions = Region.objects.filter(account__in=accounts, hidden=False).order_by("code")
    if len(accounts) == 1:
        # One account: say which regions are in the sandbox right in the list.
        return [
            (
                r.code,
                f"{r.code} · sandbox"
                if r.in_sandbox
                else f"{r.code} · production"
                if r.in_sandbox is False
                else r.code,
            )
            for r in regions
        ]
    codes = sorted({r.code for r in regions})
    return [(c, c) for c in codes]


class SendCheckForm(forms.Form):
    """From, to (several), an optional Return-Path, account and region. Clean values: the
    addresses as typed (checked), objects."""

    sender = forms.CharField(
        label="From",
        max_length=320,
        widget=forms.TextInput(
            attrs={"placeholder": "admin@mydomain.example", "autocomplete": "off"}
        ),
    )
    recipients = forms.CharField(
        label="To",
        help_text="One or more addresses, separated by commas or new lines (at most 50).",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "someone@example.com"}),
    )
    return_path = forms.CharField(
        label="Return-Path",
        required=False,
        max_length=320,
        help_text="Optional: the address bounces and complaints go to (SES's feedback "
        "address). SES checks it is verified, like the sender.",
        widget=forms.TextInput(attrs={"placeholder": "bounces@mydomain.example"}),
    )
    account = forms.ModelChoiceField(
        queryset=AwsAccount.objects.none(), to_field_name="label", empty_label=None
    )
    region = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = list(AwsAccount.objects.filter(is_active=True))
        self.fields["account"].queryset = AwsAccount.objects.filter(is_active=True)
        if accounts and not self.initial.get("account"):
            self.initial["account"] = accounts[0].label
        if len(accounts) == 1:
            self.fields["account"].widget = forms.HiddenInput()
        self.fields["region"].choices = _region_choices(accounts)
        self.has_accounts = bool(accounts)

    def clean_sender(self) -> str:
        try:
            return given_address(self.cleaned_data["sender"])  # as typed: case matters to SES
        except InvalidAddress as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_return_path(self) -> str:
        value = (self.cleaned_data.get("return_path") or "").strip()
        try:
            return given_address(value) if value else ""
        except InvalidAddress as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_recipients(self) -> list[str]:
        try:
            recipients = split_recipients(self.cleaned_data["recipients"])
        except InvalidAddress as exc:
            raise forms.ValidationError(str(exc)) from None
        if not recipients:
            raise forms.ValidationError("Give at least one recipient.")
        return recipients

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        account, code = cleaned.get("account"), cleaned.get("region")
        if account and code and not account.regions.filter(code=code).exists():
            self.add_error("region", f"Account {account.label} has no region {code}.")
        return cleaned


_PEM = re.compile(r"-----(BEGIN|END)[^-]*-----|\s+")
_SELECTOR = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class _RegionIds(forms.MultipleChoiceField):
    """Region ids ticked in the form. Ids no longer offered (the identity was created there
    meanwhile, or the region hidden) are dropped, not refused: the rest still go ahead."""

    def validate(self, value: Any) -> None:
        pass


class AddToRegionsForm(forms.Form):
    """Which regions to add an identity to, and (domains) how the new regions sign with DKIM.

    Clean values: `regions` (Region objects of the identity's account where it does not exist
    yet, hidden ones left out) and `dkim_choice` (an actions.DkimChoice; Easy DKIM for an
    email address, which has no DKIM of its own)."""

    regions = _RegionIds(required=False)
    dkim = forms.ChoiceField(
        choices=[
            ("easy", "Easy DKIM — new records for each region"),
            ("deed", "DEED — reuse the DKIM records of a parent region"),
            ("byodkim", "BYODKIM — my own key"),
        ],
        required=False,
    )
    parent = forms.CharField(required=False)
    selector = forms.CharField(required=False)
    private_key = forms.CharField(required=False)

    def __init__(self, *args: Any, identity: Identity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identity = identity
        shown = Region.objects.select_related("account").filter(
            account_id=identity.account_id, hidden=False
        )
        present = set(
            RegionalIdentity.objects.filter(identity=identity, present=True).values_list(
                "region_id", flat=True
            )
        )
        self.addable = {str(r.pk): r for r in shown if r.pk not in present}
        self.parents = {str(r.pk): r for r in shown if r.pk in present}

    def clean_regions(self) -> list[Region]:
        chosen = [self.addable[i] for i in self.cleaned_data["regions"] if i in self.addable]
        if not chosen:
            raise forms.ValidationError(
                "Choose at least one region where the identity does not exist yet."
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "regions" in self.errors:
            return cleaned
        cleaned["dkim_choice"] = DkimChoice()
        if self.identity.is_email:
            return cleaned
        mode = cleaned.get("dkim") or "easy"
        if mode == "deed":
            parent = self.parents.get(cleaned.get("parent", ""))
            if parent is None:
                raise forms.ValidationError(
                    "Choose the parent region whose DKIM records the new regions should reuse."
                )
            refusal = self._deed_refusal(parent)
            if refusal:
                raise forms.ValidationError(refusal)
            cleaned["dkim_choice"] = DkimChoice(mode="deed", parent=parent)
        elif mode == "byodkim":
            selector = cleaned.get("selector", "").strip().lower()
            key = _PEM.sub("", cleaned.get("private_key", ""))
            if not _SELECTOR.fullmatch(selector) or not key:
                raise forms.ValidationError(
                    "BYODKIM needs a selector (letters, digits, hyphens) and the private key."
                )
            cleaned["dkim_choice"] = DkimChoice(mode="byodkim", selector=selector, private_key=key)
        return cleaned

    def _deed_refusal(self, parent: Region) -> str | None:
        """SES's reason for refusing this parent, from what the last sync read of it."""
        row = RegionalIdentity.objects.filter(identity=self.identity, region=parent).first()
        if row is None:
            return f"REPLICATION_PRIMARY_NOT_FOUND: no identity in {parent.code}."
        return parent_refusal(
            region=parent.code,
            verification_status=row.verification_status,
            dkim_origin=row.dkim_origin,
        )

    def first_error(self) -> str:
        return next(iter(e for errors in self.errors.values() for e in errors), "")
