"""The addresses of search-results pages: one builder (``srp_path``) and one reader (``resolve_srp``).

A results page is a category subtree, optionally narrowed to a place, or the
whole site (``/search/``). Every link to one (breadcrumbs, facet links, saved
searches, sitemaps, ``Category.get_absolute_url``) is built by ``srp_path``,
and every address that must be understood as one (the SRP itself, a search
being saved) is read by ``resolve_srp``: category slugs are per language, a
slug of another language is still understood (the SRP answers it with a 301).
Place slugs are per language the same way (``/c/cars/tashkent/``, ``/uz/c/...-uz/toshkent/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Category, Location
from .snapshot import taxonomy_snapshot

# The URL names of the results page (``classifieds/search/urls.py``).
SRP_ALL, SRP_CATEGORY, SRP_CATEGORY_LOCATION = "search:results", "search:category", "search:category_location"
SRP_VIEWS = frozenset({SRP_ALL, SRP_CATEGORY, SRP_CATEGORY_LOCATION})


class NotAnSrp(LookupError):
    """The address is not a results page we know (unknown category or place, or another page); ``message`` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SrpAddress:
    """What a results page is about; ``current``: its slugs are those of the active language."""

    category: Category | None = None
    location: Location | None = None
    current: bool = True

    @property
    def path(self) -> str:
        """The canonical path in the active language."""
        return srp_path(self.category, self.location)


def srp_path(category: Category | None = None, location: Location | None = None, *, query: str = "") -> str:
    """``/search/``, ``/c/<category>/`` or ``/c/<category>/<place>/`` in the active language, with ``?query``."""
    if category is None:
        path = reverse(SRP_ALL)
    elif location is None:
        path = reverse(SRP_CATEGORY, kwargs={"category_slug": category.slug})
    else:
        path = reverse(SRP_CATEGORY_LOCATION, kwargs={"category_slug": category.slug, "location_slug": location.slug})
    return f"{path}?{query}" if query else path


def resolve_srp_slugs(
    category_slug: str | None = None, location_slug: str | None = None, *, language: str | None = None
) -> SrpAddress:
    """The category and place named by the slugs of a results page; raises ``NotAnSrp`` for unknown ones."""
    if category_slug is None:
        return SrpAddress()
    snapshot = taxonomy_snapshot()
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    category, current = snapshot.category_by_slug(category_slug, language)
    if category is None:
        raise NotAnSrp(_("No such category."))
    location = None
    if location_slug is not None:
        location, place_current = snapshot.place_by_slug(location_slug, language)
        if location is None:
            raise NotAnSrp(_("No such place."))
        current = current and place_current
    return SrpAddress(category, location, current)


def resolve_srp(url: str) -> SrpAddress:
    """The results page behind an address (``/c/cars/tashkent/?q=...``, with or without ``/uz/``)."""
    path = urlsplit(url).path
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            raise NotAnSrp("not a results page") from None  # never shown: the caller answers 404
        if match.view_name not in SRP_VIEWS:
            raise NotAnSrp("not a results page")
        return resolve_srp_slugs(
            match.kwargs.get("category_slug"), match.kwargs.get("location_slug"), language=language
        )
