"""Validation of the notification preferences form (one checkbox per kind and optional channel)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import services
from .kinds import EMAIL, SMS, kinds_all


def field_name(kind: str, channel: str) -> str:
    return f"{kind.replace('.', '__')}__{channel}"


class PreferencesForm(forms.Form):
    """Which kinds go by email (and SMS, for the kinds configured for it), and in which language."""

    language = forms.ChoiceField(label=_("Language of notifications"), choices=settings.LANGUAGES)

    def __init__(self, *args, sms_kinds: tuple[str, ...] | list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind in kinds_all():
            row = {"kind": kind, "fields": []}
            channels = [EMAIL] if kind.email else []
            if kind.name in sms_kinds:
                channels.append(SMS)
            for channel in channels:
                name = field_name(kind.name, channel)
                self.fields[name] = forms.BooleanField(label=kind.label, required=False)
                row["fields"].append((channel, name))
            if row["fields"]:
                self.rows.append(row)

    @property
    def has_sms(self) -> bool:
        return any(channel == SMS for row in self.rows for channel, _name in row["fields"])

    def choices(self) -> list[tuple[str, str, bool]]:
        """(kind, channel, enabled) for every checkbox of the form."""
        return [
            (row["kind"].name, channel, bool(self.cleaned_data.get(name)))
            for row in self.rows
            for channel, name in row["fields"]
        ]

    def bound_rows(self):
        """Rows for the template: the kind and its bound checkbox per channel (None where it has none)."""
        for row in self.rows:
            by_channel = dict(row["fields"])
            yield {
                "kind": row["kind"],
                "email": self[by_channel[EMAIL]] if EMAIL in by_channel else None,
                "sms": self[by_channel[SMS]] if SMS in by_channel else None,
            }


def preferences_form(user, data=None) -> PreferencesForm:
    """The preferences form of ``user``: their choices as initial values, bound to ``data`` when given."""
    chosen = services.preferences_of(user)
    form = PreferencesForm(
        data, initial={"language": services.recipient_language(user)}, sms_kinds=settings.NOTIFICATIONS_SMS_KINDS
    )
    for row in form.rows:
        for channel, name in row["fields"]:
            form.fields[name].initial = chosen.get((row["kind"].name, channel), True)
    return form
