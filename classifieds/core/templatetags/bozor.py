"""Template filters shared by every page: JSON-LD, prices, dates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from classifieds.core.phones import format_phone

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.filter
def jsonld(value: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    return mark_safe(json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


def _group(number: Decimal | int, separator: str) -> str:
    integer = int(number)
    text = f"{integer:,}".replace(",", separator)
    fraction = Decimal(number) - integer
    if fraction:
        text += f".{str(fraction.quantize(Decimal('0.01')))[2:]}"
    return text


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """``1 250 000 сум`` for UZS (thin groups, as Uzbeks write it), ``$1,250`` for USD."""
    if amount is None:
        return ""
    if currency == "USD":
        return f"${_group(amount, ',')}"
    return f"{_group(amount, ' ')} {_('sum')}"


@register.filter
def price(listing) -> str:
    """The price line of a listing card or page."""
    if listing.price_type == "free":
        return _("Free")
    if listing.price_type == "exchange":
        return _("Exchange")
    return format_money(listing.price, listing.currency)


@register.filter
def money(amount, currency: str = "UZS") -> str:
    return format_money(amount, currency)


@register.filter
def listing_date(value: datetime | None) -> str:
    """ "Today 14:05", "Yesterday 09:30", or "12 November" (with the year if not this year)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    if local.date() == today:
        return _("Today %(time)s") % {"time": local.strftime("%H:%M")}
    if local.date() == today - timedelta(days=1):
        return _("Yesterday %(time)s") % {"time": local.strftime("%H:%M")}
    if local.year == today.year:
        return date_format(local, "j E")
    return date_format(local, "j E Y")


@register.filter
def phone(e164: str) -> str:
    """``+998901234567`` -> ``+998 90 123 45 67``."""
    return format_phone(e164)
