"""Forms of the moderation workbench and of buyers' reports (validation only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classifieds.listings.models import RejectionReason

from .models import Report


class DecisionForm(forms.Form):
    """A moderator's reason (the seller reads its text in their language) and a note only moderators see."""

    reason = forms.ChoiceField(label=_("Reason (the seller sees it)"), choices=RejectionReason.choices)
    note = forms.CharField(
        label=_("Note for moderators (never shown to the seller)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for moderators"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you choose “Other”."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Tell us what is wrong."))
        return cleaned
