"""Forms of the identities app owned by the send check."""

from __future__ import annotations

from typing import Any

from django import forms

from identities.sendcheck.rules import InvalidAddress, normalise_address, split_recipients
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
    """From, to (several), account and region. Clean values: normalised addresses, objects."""

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
            return normalise_address(self.cleaned_data["sender"])
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
