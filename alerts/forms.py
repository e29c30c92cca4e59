"""Forms of the alert pages: a channel (where), a rule (what)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from alerts.channels.chat import check_url
from alerts.channels.email import recipients
from alerts.models import Channel, Kind, Rule
from regions.models import AwsAccount, Region

_TARGET_HELP = {
    "email": "Comma-separated addresses.",
    "webhook": "An http(s) URL. Deliveries are signed with the channel's secret.",
    "apprise": "An Apprise URL, e.g. slack://T0/B0/XXXX, msteams://..., pagerduty://...",
}


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "type", "target", "enabled"]
        widgets = {"target": forms.TextInput(attrs={"autocomplete": "off"})}
        labels = {"target": "Send to"}
        help_texts = {"target": " ".join(f"{k}: {v}" for k, v in _TARGET_HELP.items())}

    def clean(self) -> dict:
        data = super().clean()
        kind, target = data.get("type"), (data.get("target") or "").strip()
        if not kind or not target:
            return data
        if kind == Channel.Type.EMAIL:
            addresses = recipients(target)
            for address in addresses:
                try:
                    validate_email(address)
                except ValidationError:
                    self.add_error("target", f"{address!r} is not an email address.")
            data["target"] = ", ".join(addresses)
        elif kind == Channel.Type.WEBHOOK:
            try:
                URLValidator(schemes=["http", "https"])(target)
            except ValidationError:
                self.add_error("target", "Give an http:// or https:// URL.")
        elif kind == Channel.Type.APPRISE and not check_url(target):
            self.add_error("target", "Apprise does not understand this URL.")
        return data


class RuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        choices=[c for c in Kind.choices if c[0] != Kind.TEST],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every kind.",
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=AwsAccount.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every account.",
    )
    regions = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every region.",
    )

    class Meta:
        model = Rule
        fields = [
            "kinds",
            "accounts",
            "regions",
            "min_severity",
            "send_resolved",
            "realert_minutes",
            "digest_minutes",
            "enabled",
        ]
        labels = {
            "min_severity": "Minimum severity",
            "send_resolved": "Also say when a problem clears",
            "realert_minutes": "Repeat an unchanged open problem every (minutes, 0 = never)",
            "digest_minutes": "Digest: one message per (minutes, 0 = send each at once)",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = sorted(set(Region.objects.values_list("code", flat=True)))
        codes += [c for c in (self.instance.regions or []) if c not in codes]
        self.fields["regions"].choices = [(c, c) for c in codes]
        for name in ("realert_minutes", "digest_minutes"):
            self.fields[name].widget.attrs.update(min=0, max=10080)
            self.fields[name].validators.append(_at_most_a_week)


def _at_most_a_week(value: int) -> None:
    if value > 10080:
        raise ValidationError("At most 10080 minutes (a week).")
