"""The promotion purchase form: which offer, which provider, and the key that makes a double click harmless."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import PromotionPrice, PromotionType

# Short names for the option cards (the model's labels are the longer Admin descriptions).
OFFER_NAMES = {
    PromotionType.BUMP: pgettext_lazy("promotion name", "Bump"),
    PromotionType.TOP: pgettext_lazy("promotion name", "TOP"),
    PromotionType.SPOTLIGHT: pgettext_lazy("promotion name", "Spotlight"),
}
OFFER_DESCRIPTIONS = {
    PromotionType.BUMP: _("Shown as new again, at the top of the newest listings."),
    PromotionType.TOP: _("Pinned above the results of its category, labelled TOP."),
    PromotionType.SPOTLIGHT: _("In the carousel on the home page."),
}


def offer_label(offer: PromotionPrice) -> str:
    if offer.type == PromotionType.BUMP:
        return str(offer.get_type_display())
    return _("%(type)s for %(days)s days") % {"type": offer.get_type_display(), "days": offer.days}


@dataclass(frozen=True)
class OfferCard:
    """One option card of the promote page: what it is, for how long, what it costs (sum)."""

    code: str
    name: str
    duration: str
    description: str
    price: int
    next_free: datetime | None = None  # a TOP whose places are all taken: when the next one frees


def offer_cards(offers: list[PromotionPrice], *, next_free: dict[str, datetime] | None = None) -> list[OfferCard]:
    """The offers as the promote page shows them, in the current language (``next_free``: sold-out TOPs by code)."""
    next_free = next_free or {}
    return [
        OfferCard(
            code=offer.code,
            name=str(OFFER_NAMES.get(offer.type, offer.get_type_display())),
            duration=(
                str(_("Once, right now"))
                if offer.type == PromotionType.BUMP
                else ngettext("%(days)s day", "%(days)s days", offer.days) % {"days": offer.days}
            ),
            description=str(OFFER_DESCRIPTIONS.get(offer.type, "")),
            price=offer.price,
            next_free=next_free.get(offer.code),
        )
        for offer in offers
    ]


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
