"""The search-results page as a page object: everything around the results, assembled in one place.

``ResultsPage.build`` runs the query for an SRP address and the request's
parameters; its properties are the pieces the template shows (heading, crumbs,
robots, canonical, facet links, chips, pagination) and ``context()`` hands
them over. The view only resolves the address, tidies the URL and renders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from classifieds.core.pagecache import valid_until
from classifieds.core.pagination import page_links, page_url, paginate, parse_page_number
from classifieds.listings.models import Listing
from classifieds.seo.meta import PageMeta, breadcrumb_ld, item_list_ld, page_meta
from classifieds.taxonomy.models import Attribute, AttributeOption
from classifieds.taxonomy.paths import SrpAddress, srp_path
from classifieds.taxonomy.snapshot import TaxonomySnapshot, taxonomy_snapshot

from . import facets as search_facets
from . import filters, placement
from .backends import get_search_backend
from .filters import BaseListingFilterSet
from .query import ListingQuery, SearchResults

SPOTLIGHT_ON_CATEGORY = 4


def tidy_query(params: QueryDict) -> str | None:
    """The shorter query string of a submitted form (empty fields and defaults dropped), or None when already tidy."""
    tidy = filters.tidy_pairs(params)
    if tidy == [(key, value) for key, values in params.lists() for value in values]:
        return None
    return urlencode(tidy)


NOT_FILTERS = frozenset({"q", "page"})
ATTRIBUTE_PREFIX = "attrs."  # the parameters of attribute filters: ``attrs.make``


def filter_subjects(params: QueryDict) -> list[str]:
    """The filters a page uses, by name (``price`` for ``price_min``/``price_max``), for the statistics."""
    names = (key.removesuffix("_min").removesuffix("_max") for key in params if key not in NOT_FILTERS)
    return list(dict.fromkeys(names))


EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def distance_label(km: float) -> str:
    """ "1.5 km" (one decimal under 10 km), "23 km"; "under 100 m" when it is as good as here."""
    if km < 0.1:
        return _("under 100 m")
    shown = number_format(round(km, 1), decimal_pos=1) if km < 10 else number_format(round(km))
    return _("%(distance)s km away") % {"distance": shown}


def label_distances(cards: list[Listing], near: tuple[float, float]) -> None:
    """Set ``distance_label`` on each card that has a point (one query for the page's points)."""
    points = {
        pk: (lat, lon)
        for pk, lat, lon in Listing.objects.filter(pk__in=[card.pk for card in cards]).values_list(
            "pk", "geo_lat", "geo_lon"
        )
        if lat is not None and lon is not None
    }
    for card in cards:
        if card.pk in points:
            card.distance_label = distance_label(distance_km(near, points[card.pk]))


def pinned_cards(ids: list[int]) -> list[Listing]:
    """Promoted listings shown above the results, flagged for the card's badge."""
    if not ids:
        return []
    rows = Listing.objects.for_cards().in_bulk(ids)
    pinned = [rows[i] for i in ids if i in rows]
    for listing in pinned:
        listing.is_promoted = True
    return pinned


@dataclass
class ResultsPage:
    address: SrpAddress
    snapshot: TaxonomySnapshot
    filterset: BaseListingFilterSet
    schema: list
    params: QueryDict
    query: ListingQuery
    results: SearchResults
    page: Page
    pinned: list[Listing]

    @classmethod
    def build(cls, request: HttpRequest, address: SrpAddress) -> ResultsPage:
        """Run the search of ``address`` with the request's parameters (one page, pinned slots apart)."""
        snapshot = taxonomy_snapshot()
        category, location = address.category, address.location
        filterset, schema = filters.bind_filterset(category, request.GET)
        params = filters.valid_params(filterset)
        query = filters.listing_query(
            filterset, schema=schema, category=category, location=location, page=parse_page_number(request)
        )
        backend = get_search_backend()
        results = backend.search(
            query, load=lambda ids: Listing.objects.cards_in_bulk(ids, locations=snapshot.locations)
        )
        page = paginate(request, results)
        pinned_ids = placement.pinned_ids(backend, results.query)
        pinned = pinned_cards(pinned_ids)
        if pinned:  # a pinned listing is not shown twice on its page
            page.object_list = [listing for listing in page.object_list if listing.pk not in pinned_ids]
        if results.query.sort == "distance" and results.query.near is not None:
            label_distances([*pinned, *page.object_list], results.query.near)
        return cls(address, snapshot, filterset, schema, params, query, results, page, pinned)

    # --- where the page is -------------------------------------------------------------
    @property
    def category(self):
        return self.address.category

    @property
    def location(self):
        return self.address.location

    @cached_property
    def path(self) -> str:
        return srp_path(self.category, self.location)

    @property
    def url(self) -> str:
        """This page's address with its valid parameters (what htmx pushes to the history)."""
        return page_url(self.path, self.params, self.page.number)

    @property
    def q(self) -> str:
        return self.params.get("q", "")

    @cached_property
    def ancestors(self) -> list:
        return self.snapshot.ancestors(self.category) if self.category else []

    @cached_property
    def crumbs(self) -> list[tuple[str, str]]:
        crumbs = [(_("Home"), reverse("web:home"))]
        if self.category is None:
            return [*crumbs, (_("Search results"), self.path)]
        crumbs += [(c.name, srp_path(c)) for c in self.ancestors]
        crumbs.append((self.category.name, srp_path(self.category)))
        if self.location is not None:
            crumbs.append((self.location.name, srp_path(self.category, self.location)))
        return crumbs

    @cached_property
    def heading(self) -> str:
        q = self.q
        if self.category is None:
            return _("Search results for “%(q)s”") % {"q": q} if q else _("All listings")
        heading = f"{self.category.name} — {self.location.name}" if self.location else self.category.name
        if self.landing_option is not None and self.is_landing:
            return _("%(category)s: %(option)s") % {"category": heading, "option": self.landing_option[1].label}
        return _("“%(q)s” in %(place)s") % {"q": q, "place": heading} if q else heading

    # --- what search engines index (the facet URL policy) ----------------------------------
    @cached_property
    def landing_option(self) -> tuple[Attribute, AttributeOption] | None:
        """The single choice-filter value the page narrows to (``?attrs.make=chevrolet``), if that is all it narrows by."""
        used = [key for key in self.params if key not in NOT_FILTERS]
        if self.category is None or len(used) != 1 or not used[0].startswith(ATTRIBUTE_PREFIX):
            return None
        values = self.params.getlist(used[0])
        key = used[0].removeprefix(ATTRIBUTE_PREFIX)
        attribute = next((a for a in self.schema if a.key == key and a.has_options), None)
        if attribute is None or len(values) != 1:
            return None
        option = next((o for o in attribute.options.all() if o.value == values[0]), None)
        return (attribute, option) if option is not None else None

    @cached_property
    def is_landing(self) -> bool:
        """A page search engines should index, with its own title, H1 and canonical.

        The landing pages: a category; a category in a place; a category narrowed to one
        value of a choice filter (a car make); the site-wide list; one text search. Each of
        them paged too (``?page=2`` keeps its own canonical). Anything deeper (two
        narrowings, a sort, a price or number range, photos only, near me) is ``noindex,follow``.
        """
        used = [key for key in self.params if key not in NOT_FILTERS]
        if used and self.landing_option is None:
            return False
        return int(self.location is not None) + int(bool(self.q)) + len(used) <= 1

    @property
    def robots(self) -> str:
        indexable = self.is_landing and self.page.paginator.count
        return "index,follow" if indexable else "noindex,follow"

    @cached_property
    def meta(self) -> PageMeta:
        page = self.page
        # Canonical: a landing page is its own; deeper pages name the base page with its main query.
        canonical = [("q", self.q)] if self.q else []
        if self.is_landing and self.landing_option is not None:
            attribute, option = self.landing_option
            canonical.append((f"{ATTRIBUTE_PREFIX}{attribute.key}", option.value))
        if page.number > 1:
            canonical.append(("page", str(page.number)))
        heading = self.heading
        return page_meta(
            lambda: srp_path(self.category, self.location),
            query=urlencode(canonical),
            title=_("%(heading)s — page %(page)s") % {"heading": heading, "page": page.number}
            if page.number > 1
            else heading,
            description=_("%(count)s listings in %(heading)s on Bozor.")
            % {
                "count": f"≈ {page.paginator.count}" if self.results.approximate else page.paginator.count,
                "heading": heading,
            },
            robots=self.robots,
            json_ld=[
                breadcrumb_ld(self.crumbs),
                item_list_ld([listing.get_absolute_url() for listing in page.object_list]),
            ],
            prev_url=page_url(self.path, self.params, page.previous_page_number()) if page.has_previous() else "",
            next_url=page_url(self.path, self.params, page.next_page_number()) if page.has_next() else "",
        )

    # --- what narrows it ---------------------------------------------------------------
    @cached_property
    def groups(self) -> list:
        return search_facets.facet_groups(self.schema, self.params, self.results.facets, self.filterset.form)

    def facet_context(self) -> dict:
        facets, params, path = self.results.facets, self.params, self.path
        category, location = self.category, self.location
        return {
            "groups": self.groups,
            "category_links": search_facets.category_links(
                self.snapshot.subcategories(category), facets, lambda c: srp_path(c, location), params
            ),
            "location_links": search_facets.location_links(
                self.snapshot.places(location), facets, lambda place: srp_path(category, place), params
            )
            if category is not None
            else [],
            "price_links": search_facets.price_links(path, params, facets),
            "price_label": filters.price_label(category),
            "default_sort": filters.default_sort(self.params),
            "near_places": [(region, self.snapshot.places(region)) for region in self.snapshot.places(None)],
            "near_places_cache": self.snapshot.derived,
            "near_from_browser": self.query.near is not None and "lat" in self.params and "lon" in self.params,
            "photo_count": search_facets.photo_count(facets),
            "chips": search_facets.chips(path, params, self.schema, self.groups),
            "clear_url": search_facets.url_with(path, QueryDict(urlencode([("q", self.q)] if self.q else []))),
        }

    def context(self) -> dict:
        first_category_page = self.category is not None and self.page.number == 1
        # A listing leaves the results when it expires, before the expiry task says so: a cached page too.
        valid_until(min((x.expires_at for x in [*self.page.object_list, *self.pinned] if x.expires_at), default=None))
        return {
            "category": self.category,
            "location": self.location,
            "ancestors": self.ancestors,
            "path": self.path,
            "filterset": self.filterset,
            "form": self.filterset.form,
            "params": self.params,
            "q": self.q,
            "results": self.results,
            "page": self.page,
            "pinned": self.pinned,
            "spotlight": placement.spotlight(category=self.category, limit=SPOTLIGHT_ON_CATEGORY)
            if first_category_page
            else [],
            "page_links": page_links(self.path, self.params, self.page),
            **self.facet_context(),
            "heading": self.heading,
            "crumbs": self.crumbs,
            "meta": self.meta,
        }
