"""The promotion purchase form: which offer, which provider, and the key that makes a double click harmless."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PromotionPrice, PromotionType


def offer_label(offer: PromotionPrice) -> str:
    if offer.type == PromotionType.BUMP:
        return str(offer.get_type_display())
    return _("%(type)s for %(days)s days") % {"type": offer.get_type_display(), "days": offer.days}


class PromotionPurchaseForm(forms.Form):
    offer = forms.ChoiceField(label=_("Promotion"), widget=forms.RadioSelect)
    provider = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, offers: list[PromotionPrice], providers: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [(offer.code, offer_label(offer)) for offer in offers]
        self.fields["provider"].choices = [(p.name, p.label) for p in providers]
        if offers:
            self.fields["offer"].initial = offers[0].code
        if providers:
            self.fields["provider"].initial = providers[0].name
