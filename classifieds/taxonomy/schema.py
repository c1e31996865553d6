"""Validation of attribute values against a category's (inherited) schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classifieds.core.text import plain_decimal

from .models import Attribute, AttributeOption, Category

TRUE_VALUES = {"1", "true", "yes", "on", "да", "ha"}
FALSE_VALUES = {"0", "false", "no", "off", "нет", "yo'q"}


@dataclass(frozen=True)
class CleanedValue:
    attribute: Attribute
    option: AttributeOption | None = None
    text: str = ""
    number: Decimal | None = None
    boolean: bool | None = None


def _as_list(raw: Any) -> list:
    if raw is None:
        return []
    if isinstance(raw, str | bytes | int | float | Decimal | bool):
        return [raw]
    if isinstance(raw, Iterable):
        return list(raw)
    return [raw]


def _is_empty(raw: Any) -> bool:
    return (
        raw is None or raw == "" or (isinstance(raw, list | tuple | set) and not any(v not in ("", None) for v in raw))
    )


def _clean_number(attribute: Attribute, raw: Any) -> Decimal:
    try:
        number = Decimal(str(raw).replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(_("Enter a number.")) from exc
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if attribute.type == Attribute.Type.INTEGER and number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    if attribute.min_value is not None and number < attribute.min_value:
        raise ValidationError(_("Must be at least %(min)s.") % {"min": plain_decimal(attribute.min_value)})
    if attribute.max_value is not None and number > attribute.max_value:
        raise ValidationError(_("Must be at most %(max)s.") % {"max": plain_decimal(attribute.max_value)})
    if abs(number) >= Decimal("1e14"):
        raise ValidationError(_("This number is too large."))
    return number


def _clean_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValidationError(_("Choose yes or no."))


def _clean_one(attribute: Attribute, raw: Any) -> list[CleanedValue]:
    kind = attribute.type
    if kind in (Attribute.Type.CHOICE, Attribute.Type.MULTICHOICE):
        values = [str(v) for v in _as_list(raw) if v not in ("", None)]
        if kind == Attribute.Type.CHOICE and len(values) > 1:
            raise ValidationError(_("Choose one option."))
        by_value = {option.value: option for option in attribute.options.all()}
        unknown = [v for v in values if v not in by_value]
        if unknown:
            raise ValidationError(_("“%(value)s” is not one of the available options.") % {"value": unknown[0]})
        return [CleanedValue(attribute=attribute, option=by_value[v]) for v in dict.fromkeys(values)]
    if isinstance(raw, list | tuple):
        if len(raw) != 1:
            raise ValidationError(_("Enter a single value."))
        raw = raw[0]
    if kind in (Attribute.Type.INTEGER, Attribute.Type.DECIMAL):
        return [CleanedValue(attribute=attribute, number=_clean_number(attribute, raw))]
    if kind == Attribute.Type.BOOLEAN:
        return [CleanedValue(attribute=attribute, boolean=_clean_bool(raw))]
    text = str(raw).strip()
    if len(text) > 255:
        raise ValidationError(_("At most 255 characters."))
    return [CleanedValue(attribute=attribute, text=text)]


def validate_attribute_values(
    category: Category, values: Mapping[str, Any], *, partial: bool = False
) -> list[CleanedValue]:
    """Check ``values`` (attribute key -> raw value) against the category's schema.

    Unknown keys, missing required values, wrong types, out-of-range numbers
    and options not in the list are all reported at once, keyed by attribute key.
    ``partial``: a draft being typed; missing required values are not errors yet.
    """
    schema = {attribute.key: attribute for attribute in category.schema()}
    errors: dict[str, list[str]] = {}
    cleaned: list[CleanedValue] = []
    for key in values:
        if key not in schema:
            errors.setdefault(key, []).append(_("This category has no attribute “%(key)s”.") % {"key": key})
    for key, attribute in schema.items():
        raw = values.get(key)
        if _is_empty(raw):
            if attribute.required and not partial:
                errors.setdefault(key, []).append(_("%(label)s is required.") % {"label": attribute.label})
            continue
        try:
            cleaned.extend(_clean_one(attribute, raw))
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned
