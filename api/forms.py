from __future__ import annotations

from django import forms

from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=64,
        help_text="What uses it, e.g. “deploy pipeline” or “grafana”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text="Operate also lets it sync, check DNS, resend and add to regions "
        "(if your role allows it).",
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Empty: never expires; revoke it here when it is no longer needed.",
    )
