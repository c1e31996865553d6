"""A saved search is an SRP address: parse it the way the SRP does, so alerts match what the SRP shows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from classifieds.listings.models import Listing
from classifieds.listings.money import format_money
from classifieds.search import filters
from classifieds.search.query import ListingQuery
from classifieds.taxonomy.models import Category, Location
from classifieds.taxonomy.paths import NotAnSrp, resolve_srp, srp_path
from classifieds.taxonomy.snapshot import taxonomy_snapshot


class NotASearch(ValueError):
    """The address is not a search-results page."""


@dataclass(frozen=True)
class Search:
    """A normalized search: category, place and the valid, tidied query string (no page)."""

    category: Category | None
    location: Location | None
    params: str

    @property
    def key(self) -> str:
        raw = f"{self.category.pk if self.category else ''}|{self.location.pk if self.location else ''}|{self.params}"
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def search_from_parts(category: Category | None, location: Location | None, query_string: str) -> Search:
    """Validate and tidy ``query_string`` as the SRP does; the page is not part of a search."""
    filterset, _schema = filters.bind_filterset(category, QueryDict(query_string))
    valid = filters.valid_params(filterset)
    valid.pop("page", None)
    pairs = sorted((name, value) for name, values in valid.lists() for value in values)
    return Search(category, location, urlencode(pairs))


def search_from_url(url: str) -> Search:
    """The search behind an SRP address (``/c/cars/tashkent/?q=...``, with or without ``/uz/``)."""
    parts = urlsplit(url)
    with translation.override(translation.get_language_from_path(parts.path) or settings.LANGUAGE_CODE):
        try:
            address = resolve_srp(url)
        except NotAnSrp as error:
            raise NotASearch(url) from error
        return search_from_parts(address.category, address.location, parts.query)


def listing_query(saved, **extra) -> ListingQuery:
    """The ListingQuery the SRP would run for this saved search (``extra``: e.g. the alert window)."""
    from dataclasses import replace

    filterset, schema = filters.bind_filterset(saved.category, QueryDict(saved.params))
    query = filters.listing_query(filterset, schema=schema, category=saved.category, location=saved.location)
    return replace(query, **extra) if extra else query


def srp_url(saved) -> str:
    """The SRP address of a saved search in the active language."""
    return srp_path(saved.category, saved.location, query=saved.params)


def _number(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return f"{int(number):,}" if number == int(number) else str(number)


def title_for(search: Search) -> str:
    """A readable title, e.g. "Transport › Cars › Chevrolet, Tashkent, up to $10,000"."""
    snapshot = taxonomy_snapshot()
    params = QueryDict(search.params)
    parts: list[str] = []
    head = ""
    if search.category is not None:
        path = [*snapshot.ancestors(search.category), search.category]
        head = " › ".join(node.name for node in path[-2:])
    labels: list[str] = []
    if search.category is not None:
        for attribute in snapshot.schema(search.category):
            key = f"attrs.{attribute.key}"
            chosen = params.getlist(key)
            if chosen and attribute.has_options:
                by_value = {option.value: option.label for option in attribute.options.all()}
                labels += [by_value.get(v, v) for v in chosen]
            elif chosen:
                labels.append(str(attribute.label))
            low, high = params.get(f"{key}_min"), params.get(f"{key}_max")
            if low or high:
                unit = f" {attribute.unit}" if attribute.unit else ""
                span = (
                    f"{_number(low)}–{_number(high)}"
                    if low and high
                    else (_("from %(n)s") % {"n": _number(low)} if low else _("up to %(n)s") % {"n": _number(high)})
                )
                labels.append(f"{attribute.label} {span}{unit}")
    if labels:
        head = f"{head} › {', '.join(labels)}" if head else ", ".join(labels)
    if head:
        parts.append(head)
    if params.get("q"):
        parts.append(f"«{params['q']}»")
    if search.location is not None:
        parts.append(str(search.location.name))
    for condition in params.getlist("condition"):
        parts.append(str(Listing.Condition(condition).label) if condition in Listing.Condition.values else condition)
    currency = params.get("currency") or "UZS"
    low, high = params.get("price_min"), params.get("price_max")
    money = lambda v: format_money(Decimal(v), currency)  # noqa: E731
    try:
        if low and high:
            parts.append(f"{money(low)} – {money(high)}")
        elif low:
            parts.append(_("from %(price)s") % {"price": money(low)})
        elif high:
            parts.append(_("up to %(price)s") % {"price": money(high)})
    except InvalidOperation:
        pass
    if params.get("photo"):
        parts.append(_("with photo"))
    title = ", ".join(parts) or _("All listings")
    return title[:200]
