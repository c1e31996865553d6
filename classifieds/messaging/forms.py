from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classifieds.imaging.processing import ACCEPT

from .models import ConversationReport

# One tap to send; what a buyer and a seller most often write first.
QUICK_REPLIES = {
    "buyer": [_("Is it still available?"), _("What is the final price?"), _("Where and when can I see it?")],
    "seller": [_("Yes, it is still available."), _("The price is final."), _("Sorry, it is already sold.")],
}


class MessageForm(forms.Form):
    """A message: text, a photo, or both; a quick reply button fills the text when it is empty."""

    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    quick = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # Checked by the photo pipeline when sent (classifieds.imaging): type, size, pixels, metadata.
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def clean(self) -> dict:
        data = super().clean()
        body = (data.get("body") or "").strip() or (data.get("quick") or "").strip()
        data["body"] = body
        if not body and not data.get("photo") and not self.errors:
            raise forms.ValidationError(_("Write a message or attach a photo."))
        return data


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ConversationReport.Reason.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
