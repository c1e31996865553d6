"""Money as people read it in ru and uz: the one money formatter of the site (cards, pages, filters, chips, mails)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Currency signs after the amount, as CLDR writes money in ru and uz ("6 500 000 сум", "9 000 $").
CURRENCY_SIGNS = {"UZS": lambda: _("sum"), "USD": lambda: "$"}
# A price's period after the money ("5 000 000 сум/мес."); a one-off price has none.
PERIOD_SUFFIXES = {
    "month": lambda: pgettext("price period", "/month"),
    "day": lambda: pgettext("price period", "/day"),
    "hour": lambda: pgettext("price period", "/hour"),
}


def format_number(amount: Decimal | int) -> str:
    """``6500000`` -> ``6 500 000``, ``9000.5`` -> ``9 000,50``: groups and decimal mark of the active language.

    Django's locale formats (the same as CLDR's for ru and uz): a no-break space
    between groups, a comma before the decimals, which are shown only when there are any.
    """
    value = Decimal(amount)
    places = 0 if value == value.to_integral_value() else 2
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """Money as the active language writes it: ``6 500 000 сум``, ``9 000 $`` (ru); ``6 500 000 so‘m`` (uz).

    The one money formatter of the site (cards, detail pages, filters, chips, mails,
    the promote page); JSON-LD keeps machine numbers. The sign follows the amount
    after a no-break space, so a price never wraps between them.
    """
    if amount is None:
        return ""
    sign = CURRENCY_SIGNS.get(currency, lambda: currency)()
    return f"{format_number(amount)}\u00a0{sign}"


def listing_price(listing, *, wrap: bool = False) -> str:
    """The price line of a listing card or page, with its period ("5 000 000 сум/мес.").

    ``wrap``: HTML that may break before the period, for narrow cards (the amount and its sign never part).
    """
    if listing.price_type == "free":
        return _("Free")
    if listing.price_type == "exchange":
        return _("Exchange")
    text = format_money(listing.price, listing.currency)
    period = PERIOD_SUFFIXES.get(getattr(listing, "price_period", ""))
    if not (text and period):
        return text
    if wrap:
        return format_html("{}<wbr>{}", text, period())
    return f"{text}{period()}"
