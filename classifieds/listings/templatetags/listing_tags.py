"""Listing templates' tags: prices and money (``classifieds.listings.money``) and the cached card body."""

from __future__ import annotations

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from classifieds.core.html import format_html_fast
from classifieds.listings.money import format_money, listing_price

register = template.Library()

EAGER_CARDS = 8  # the first cards of a page load their image at once, the rest lazily


@register.filter
def price(listing, wrap: str = "") -> str:
    """``{{ listing|price }}``; ``{{ listing|price:"wrap" }}`` may break before the period (narrow cards)."""
    return listing_price(listing, wrap=bool(wrap))


@register.filter
def money(amount, currency: str = "UZS") -> str:
    """``{{ amount|money }}`` (sum), ``{{ amount|money:"USD" }}``: see ``format_money``."""
    return format_money(amount, currency)


@register.simple_tag(takes_context=True)
def listing_card(context, listing, position: int) -> SafeString:
    """The body of a listing card, rendered once per listing version, language and day.

    The key holds everything the card shows that can change (``updated_at``,
    the cover photo, promotion, the day for "today 14:05"); what depends on the
    visitor (the favorite button) stays outside, in ``card``.
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
            int(position == 1),
            timezone.localdate(),
        )
    )
    cache = caches["local"]
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "listings/partials/card_body.html",
            {"listing": listing, "cover": cover, "lazy": position > EAGER_CARDS, "first": position == 1},
        )
        cache.set(key, html, 24 * 3600)
    return mark_safe(html)  # noqa: S308  (rendered by our own autoescaping template)


@register.simple_tag(takes_context=True)
def card(context, listing, position: int) -> SafeString:
    """A whole card: the cached body, the distance when the buyer searched near a place, the actions.

    The actions slot belongs to the apps above listings: a context processor sets ``card_actions``
    to a function of (context, listing) returning HTML (favorites: the heart, a POST form, so
    outside the card's link). One tag instead of a template include per card: a results page
    shows forty.
    """
    actions = context.get("card_actions")
    distance = getattr(listing, "distance_label", "")
    return format_html_fast(
        '<article class="card{}">{}{}{}</article>',
        " card-promoted" if getattr(listing, "is_promoted", False) else "",
        listing_card(context, listing, position),
        format_html_fast('<p class="card-distance">{}</p>', distance) if distance else "",
        format_html_fast('<div class="card-actions">{}</div>', actions(context, listing)) if actions else "",
    )
