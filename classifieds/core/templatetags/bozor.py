"""Template filters shared by every page: JSON-LD, dates, numbers, phones, links.

Money and listing cards are the listings app's (``{% load listing_tags %}``),
photos and their thumbnails the media app's (``{% load photos %}``).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from classifieds.core.phones import format_phone

register = template.Library()
logger = logging.getLogger(__name__)

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.filter
def jsonld(value: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    return mark_safe(json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


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


@register.filter
def count(number: int | None) -> str:
    """``12345`` -> ``12 345`` (narrow no-break space), cheaper than humanize for the many facet counts."""
    if number is None:
        return ""
    return f"{number:,}".replace(",", "\u202f")


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
