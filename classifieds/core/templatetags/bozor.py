"""Template filters shared by every page: JSON-LD, prices, dates."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import numberformat, timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from classifieds.core.phones import format_phone

register = template.Library()
logger = logging.getLogger(__name__)

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.filter
def jsonld(value: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    return mark_safe(json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


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


@register.filter
def price(listing, wrap: str = "") -> str:
    """The price line of a listing card or page, with its period ("5 000 000 сум/мес.").

    ``{{ listing|price:"wrap" }}``: HTML that may break before the period, for narrow cards
    (the amount and its sign never part).
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


@register.filter
def money(amount, currency: str = "UZS") -> str:
    """``{{ amount|money }}`` (sum), ``{{ amount|money:"USD" }}``: see ``format_money``."""
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
def iso_datetime(value: datetime | None) -> str:
    """The ``datetime`` attribute of a ``<time>``: local time to the second (HTML allows no microseconds)."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


_HTML_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


@register.filter
def number_value(value) -> str:
    """The ``value`` of an ``<input type="number">``: what was typed if it is a number HTML accepts, else empty.

    A malformed filter ("abc") is reported as a form error next to the field; echoing it
    into the field would be invalid HTML that browsers show as an empty box anyway.
    """
    text = "" if value is None else str(value).strip()
    return text if _HTML_NUMBER.fullmatch(text) else ""


CARD_SIZES = {"small": "240x180", "large": "480x360"}
EAGER_CARDS = 8  # the first cards of a page load their image at once, the rest lazily


@register.filter
def card_thumbs(photo) -> dict[str, str] | None:
    """URLs of a card's cover photo in two widths, for ``srcset`` (None when it cannot be read).

    A thumbnail of a stored file never changes, so the URLs are kept in the
    per-process "local" cache: a page of 40 cards costs no query and no sorl
    lookup once warm.
    """
    if photo is None or not photo.image:
        return None
    name = photo.image.name
    key = f"card:{name}"
    thumbs = caches["local"].get(key)
    if thumbs is None:
        from sorl.thumbnail import get_thumbnail

        try:
            thumbs = {
                size: get_thumbnail(photo.image, geometry, crop="center").url for size, geometry in CARD_SIZES.items()
            }
        except Exception:  # a missing or broken file must not break a results page
            logger.warning("no thumbnail for %s", name, exc_info=True)
            return None
        caches["local"].set(key, thumbs, None)
    return thumbs


@register.filter
def count(number: int | None) -> str:
    """``12345`` -> ``12 345`` (narrow no-break space), cheaper than humanize for the many facet counts."""
    if number is None:
        return ""
    return f"{number:,}".replace(",", "\u202f")


@register.simple_tag(takes_context=True)
def listing_card(context, listing, position: int) -> SafeString:
    """The body of a listing card, rendered once per listing version, language and day.

    The key holds everything the card shows that can change (``updated_at``,
    the cover photo, promotion, the day for "today 14:05"); what depends on the
    visitor (the favorite button) stays outside, in ``card.html``.
    """
    cover = listing.cover
    key = ":".join(
        str(part)
        for part in (
            "card",
            get_language(),
            listing.pk,
            listing.updated_at.timestamp() if listing.updated_at else "",
            cover.pk if cover else "",
            int(getattr(listing, "is_promoted", False)),
            int(position > EAGER_CARDS),
            timezone.localdate(),
        )
    )
    cache = caches["local"]
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "listings/partials/card_body.html", {"listing": listing, "cover": cover, "lazy": position > EAGER_CARDS}
        )
        cache.set(key, html, 24 * 3600)
    return mark_safe(html)  # noqa: S308  (rendered by our own autoescaping template)


@register.filter
def phone(e164: str) -> str:
    """``+998901234567`` -> ``+998 90 123 45 67``."""
    return format_phone(e164)


@register.filter
def with_query_of(url: str, request) -> str:
    """``url`` with the current request's query string: the language switcher keeps filters and page."""
    base = url.split("?", 1)[0]
    if request is None:
        return base
    query = request.GET.copy()
    # An off-site ``next`` must not travel on into our own links.
    if "next" in query and not url_has_allowed_host_and_scheme(
        query["next"], allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        del query["next"]
    encoded = query.urlencode()
    return f"{base}?{encoded}" if encoded else base
