"""Forms of the posting wizard: the listing's details and its category's attribute fields.

Both validate only. A draft is saved with whatever is valid so far (nothing is
required while typing); ``complete=True`` is the "next step" check, where
required fields and the category's required attributes are enforced.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from classifieds.accounts.forms import normalize_phone
from classifieds.core.text import plain_decimal
from classifieds.taxonomy.models import Attribute, Category, Location, PricePeriod
from classifieds.taxonomy.schema import validate_attribute_values

from .models import Currency, Listing
from .policies import DESCRIPTION_MIN_LENGTH, TITLE_MIN_LENGTH

LOCATION_LEVELS = ("region", "city", "district")


def _plain_number(value):
    """9500000.00 -> "9500000" in the input (a whole sum is what people type)."""
    if value is None:
        return None
    return plain_decimal(value)


class ListingDetailsForm(forms.Form):
    """Step 2: what every listing has. Location is three chained selects (region → city → district)."""

    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=9000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    price_type = forms.ChoiceField(
        label=_("Price"),
        choices=Listing.PriceType.choices,
        initial=Listing.PriceType.AMOUNT,
        required=False,
        widget=forms.RadioSelect,
    )
    price = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, required=False, localize=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.UZS, required=False)
    price_period = forms.ChoiceField(label=_("Payment period"), choices=PricePeriod.choices, required=False)
    negotiable = forms.BooleanField(label=_("Negotiable"), required=False)
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[("", _("not specified")), *Listing.Condition.choices], required=False
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    def __init__(self, *args: Any, complete: bool = False, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complete = complete
        # The periods the category's schema offers: a choice when several, fixed (and only said) when one.
        periods = category.price_period_choices if category is not None else [PricePeriod.ONCE]
        period = self.fields["price_period"]
        period.choices = [(value, PricePeriod(value).label) for value in periods]
        period.initial = periods[0]
        self.fixed_period = periods[0] if len(periods) == 1 else None
        if self.fixed_period is not None:
            period.widget = forms.HiddenInput()
        self.fields["title"].widget.attrs.update({"maxlength": 100, "minlength": TITLE_MIN_LENGTH})
        self.fields["price"].widget.attrs.update({"inputmode": "decimal", "min": 0})
        self.fields["contact_phone"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})
        # Each level offers the children of the level above as currently chosen (submitted or saved).
        parent_id: int | None = None
        for level in LOCATION_LEVELS:
            rows = (
                Location.objects.filter(parent_id=parent_id).order_by("order", "name")
                if level == "region" or parent_id
                else []
            )
            choices = [(str(row.pk), row.name) for row in rows]
            field = self.fields[level]
            field.choices = [("", _("— choose —")), *choices]
            field.disabled = not choices
            chosen = self._chosen(level)
            valid = chosen in {value for value, _label in choices}
            if chosen and not valid and self.is_bound:
                # The level above changed: this one starts over instead of failing validation.
                self.data = self.data.copy()
                self.data[self.add_prefix(level)] = ""
            parent_id = int(chosen) if chosen and valid else None

    def _chosen(self, level: str) -> str:
        value = self.data.get(self.add_prefix(level)) if self.is_bound else self.initial.get(level)
        return str(value or "")

    @staticmethod
    def initial_for(listing: Listing) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": listing.title,
            "description": listing.description,
            "price_type": listing.price_type,
            "price": _plain_number(listing.price),
            "currency": listing.currency,
            "price_period": listing.price_period,
            "negotiable": listing.negotiable,
            "condition": listing.condition,
            "contact_phone": listing.contact_phone,
        }
        if listing.location_id:
            for level, pk in zip(LOCATION_LEVELS, listing.location.path, strict=False):
                initial[level] = str(pk)
        return initial

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data.get("contact_phone", "")
        return normalize_phone(raw) if raw.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The deepest level chosen is the place; a level whose parent changed was already reset.
        location = None
        for level in LOCATION_LEVELS:
            if data.get(level):
                location = Location.objects.filter(pk=int(data[level])).first() or location
        data["location"] = location
        if self.complete:
            self._require(data)
        return data

    def _require(self, data: dict[str, Any]) -> None:
        if len(data.get("title") or "") < TITLE_MIN_LENGTH and "title" not in self.errors:
            self.add_error("title", _("The title needs at least %(min)s characters.") % {"min": TITLE_MIN_LENGTH})
        if len((data.get("description") or "").strip()) < DESCRIPTION_MIN_LENGTH and "description" not in self.errors:
            self.add_error(
                "description",
                _("Describe the item in at least %(min)s characters.") % {"min": DESCRIPTION_MIN_LENGTH},
            )
        price_type = data.get("price_type") or Listing.PriceType.AMOUNT
        if price_type == Listing.PriceType.AMOUNT and data.get("price") is None and "price" not in self.errors:
            self.add_error("price", _("Enter a price, or choose “free” or “exchange”."))
        location = data.get("location")
        if location is None:
            self.add_error("region", _("Choose where the item is."))
        elif location.parent_id is None and not self.fields["city"].disabled and not data.get("city"):
            self.add_error("city", _("Choose a city or district."))
        if not data.get("contact_phone") and "contact_phone" not in self.errors:
            self.add_error("contact_phone", _("Enter a phone number buyers can call."))

    def listing_fields(self) -> dict[str, Any]:
        """The valid fields, as ``Listing`` attributes (an invalid field keeps its saved value)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("title", "description", "price", "negotiable", "condition", "contact_phone")
            if name in data and name not in self.errors
        }
        if data.get("price_type"):
            fields["price_type"] = data["price_type"]
        if data.get("currency"):
            fields["currency"] = data["currency"]
        if data.get("price_period") and "price_period" not in self.errors:
            fields["price_period"] = data["price_period"]
        if not any(level in self.errors for level in LOCATION_LEVELS):
            fields["location"] = data.get("location")
        return fields


class AttributesForm(forms.Form):
    """The category's attribute fields, built from ``Category.schema()`` and checked by ``validate_attribute_values``."""

    prefix = "attrs"

    def __init__(self, *args: Any, category: Category, complete: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.complete = complete
        self.schema = category.schema()
        for attribute in self.schema:
            self.fields[attribute.key] = self._field_for(attribute)

    @staticmethod
    def _field_for(attribute: Attribute) -> forms.Field:
        label = f"{attribute.label}, {attribute.unit}" if attribute.unit else attribute.label
        common = {"label": label, "required": False}
        options = [(option.value, option.label) for option in attribute.options.all()]
        if attribute.type == Attribute.Type.CHOICE:
            field: forms.Field = forms.ChoiceField(choices=[("", _("— choose —")), *options], **common)
        elif attribute.type == Attribute.Type.MULTICHOICE:
            field = forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
        elif attribute.type == Attribute.Type.BOOLEAN:
            field = forms.ChoiceField(choices=[("", _("— choose —")), ("true", _("yes")), ("false", _("no"))], **common)
        elif attribute.is_numeric:
            # Range and type are checked by the schema; the browser gets the same hints.
            attrs = {"inputmode": "numeric" if attribute.type == Attribute.Type.INTEGER else "decimal"}
            if attribute.min_value is not None:
                attrs["data-min"] = str(attribute.min_value)
            if attribute.max_value is not None:
                attrs["data-max"] = str(attribute.max_value)
            field = forms.CharField(max_length=30, widget=forms.TextInput(attrs=attrs), **common)
        else:
            field = forms.CharField(max_length=255, **common)
        field.attribute = attribute  # type: ignore[attr-defined]
        field.widget.attrs["aria-required"] = "true" if attribute.required else "false"
        if attribute.required:
            field.label_suffix = " *"
        return field

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = {key: value for key, value in data.items() if key not in self.errors}
        try:
            validate_attribute_values(self.category, values, partial=not self.complete)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key in self.fields and key not in self.errors:
                    for message in messages:
                        self.add_error(key, message)
        return data

    def values(self) -> dict[str, Any]:
        """Valid values only, keyed by attribute key (a draft saves these)."""
        return {key: value for key, value in self.cleaned_data.items() if key not in self.errors}
