"""The catalog (category and location trees, attribute schemas) held in memory for the results page.

The SRP needs the category by slug, its ancestors and children, the places,
and the attribute schema with options: a dozen small queries and a few
hundred model instances per request. The catalog is small and changes
rarely, so each process keeps one copy and reloads it when its fingerprint
changes: one cheap query (row counts and the newest transaction id of the
four catalog tables) per request instead of all of that. Edits in Admin or by
``load_catalog`` are seen by the next request. The instances are shared:
read them, never modify them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch

from classifieds.taxonomy.models import Attribute, AttributeOption, Category, Location

FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_category),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_location),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_attribute),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_attributeoption)
"""

_lock = threading.Lock()
_current: dict[str, Catalog] = {}


@dataclass
class Catalog:
    fingerprint: tuple
    categories: dict[int, Category] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    category_slugs: dict[str, dict[str, Category]] = field(default_factory=dict)  # language -> slug -> category
    location_slugs: dict[str, Location] = field(default_factory=dict)
    category_children: dict[int | None, list[Category]] = field(default_factory=dict)
    location_children: dict[int | None, list[Location]] = field(default_factory=dict)
    attributes: dict[int, list[Attribute]] = field(default_factory=dict)  # category id -> its own attributes
    derived: dict = field(default_factory=dict)  # things built from the catalog (filter sets), dropped with it

    def category_by_slug(self, slug: str, language: str) -> tuple[Category | None, bool]:
        """The category with this slug in ``language``, else in another language: (category, in ``language``)."""
        found = self.category_slugs.get(language, {}).get(slug)
        if found is not None:
            return found, True
        for code, slugs in self.category_slugs.items():
            if code != language and slug in slugs:
                return slugs[slug], False
        return None, False

    def ancestors(self, node: Category | Location) -> list:
        table = self.categories if isinstance(node, Category) else self.locations
        return [table[pk] for pk in node.path[:-1] if pk in table]

    def schema(self, category: Category) -> list[Attribute]:
        """Like ``Category.schema()``: attributes of the category and its ancestors, ancestors first."""
        path = category.path or [category.pk]
        return [attribute for pk in path for attribute in self.attributes.get(pk, [])]


def current_catalog(using: str = "default") -> Catalog:
    """This process's copy of the catalog, reloaded when the database's differs."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        fingerprint = tuple(cursor.fetchone())
    catalog = _current.get(using)
    if catalog is not None and catalog.fingerprint == fingerprint:
        return catalog
    with _lock:
        catalog = _load(fingerprint)
        _current[using] = catalog
    return catalog


def _load(fingerprint: tuple) -> Catalog:
    catalog = Catalog(fingerprint=fingerprint)
    for category in Category.objects.order_by("order", "pk"):
        catalog.categories[category.pk] = category
        catalog.category_children.setdefault(category.parent_id, []).append(category)
    for code, _name in settings.LANGUAGES:
        catalog.category_slugs[code] = {getattr(c, f"slug_{code}"): c for c in catalog.categories.values()}
    for place in Location.objects.order_by("order", "name"):
        catalog.locations[place.pk] = place
        catalog.location_slugs[place.slug] = place
        catalog.location_children.setdefault(place.parent_id, []).append(place)
    options = Prefetch("options", queryset=AttributeOption.objects.order_by("order", "pk"))
    by_category: dict[int, list[Attribute]] = defaultdict(list)
    for attribute in Attribute.objects.prefetch_related(options).order_by("order", "pk"):
        attribute.category = catalog.categories[attribute.category_id]
        by_category[attribute.category_id].append(attribute)
    catalog.attributes = dict(by_category)
    return catalog
