"""The taxonomy snapshot: category and location trees and attribute schemas, held in memory per process.

"Catalog" is the data (categories, locations, attributes: ``load_catalog``,
Admin's "Catalog"); this module is the one *read* API over it for pages that
need much of it at once (the results page, saved searches, filters). The SRP
needs the category by slug, its ancestors and children, the places, and the
attribute schema with options: a dozen small queries and a few hundred model
instances per request. The taxonomy is small and changes rarely, so each
process keeps one snapshot and reloads it when its fingerprint changes: one
cheap query (row counts and the newest transaction id of the four taxonomy
tables) per request instead of all of that. Edits in Admin or by
``load_catalog`` are seen by the next request. The instances are shared: read
them, never modify them, and ask the snapshot (not the models' own per-query
``ancestors()``/``schema()``) wherever a snapshot is at hand.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch

from .models import Attribute, AttributeOption, Category, Location

FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_category),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_location),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_attribute),
       (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM taxonomy_attributeoption)
"""

_lock = threading.Lock()
_current: dict[str, TaxonomySnapshot] = {}


@dataclass
class TaxonomySnapshot:
    fingerprint: tuple
    categories: dict[int, Category] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    category_slugs: dict[str, dict[str, Category]] = field(default_factory=dict)  # language -> slug -> category
    location_slugs: dict[str, dict[str, Location]] = field(default_factory=dict)  # language -> slug -> place
    category_children: dict[int | None, list[Category]] = field(default_factory=dict)
    location_children: dict[int | None, list[Location]] = field(default_factory=dict)
    attributes: dict[int, list[Attribute]] = field(default_factory=dict)  # category id -> its own attributes
    derived: dict = field(default_factory=dict)  # things built from the snapshot (filter sets), dropped with it

    def category_by_slug(self, slug: str, language: str) -> tuple[Category | None, bool]:
        """The category with this slug in ``language``, else in another language: (category, in ``language``)."""
        found = self.category_slugs.get(language, {}).get(slug)
        if found is not None:
            return found, True
        for code, slugs in self.category_slugs.items():
            if code != language and slug in slugs:
                return slugs[slug], False
        return None, False

    def location_by_slug(self, slug: str, language: str | None = None) -> Location | None:
        """The place with this slug, in ``language`` first, else in any language."""
        return self.place_by_slug(slug, language or settings.LANGUAGE_CODE)[0]

    def place_by_slug(self, slug: str, language: str) -> tuple[Location | None, bool]:
        """The place with this slug in ``language``, else in another language: (place, in ``language``)."""
        found = self.location_slugs.get(language, {}).get(slug)
        if found is not None:
            return found, True
        for code, slugs in self.location_slugs.items():
            if code != language and slug in slugs:
                return slugs[slug], False
        return None, False

    def ancestors(self, node: Category | Location) -> list:
        """The node's ancestors, root first (the node itself left out)."""
        table = self.categories if isinstance(node, Category) else self.locations
        return [table[pk] for pk in node.path[:-1] if pk in table]

    def subcategories(self, category: Category | None) -> list[Category]:
        """The category's children in catalog order (the roots for None)."""
        return self.category_children.get(category.pk if category else None, [])

    def places(self, location: Location | None) -> list[Location]:
        """The location's children in catalog order (the regions for None)."""
        return self.location_children.get(location.pk if location else None, [])

    def schema(self, category: Category) -> list[Attribute]:
        """Like ``Category.schema()``: attributes of the category and its ancestors, ancestors first."""
        path = category.path or [category.pk]
        return [attribute for pk in path for attribute in self.attributes.get(pk, [])]


class _RequestMemo(threading.local):
    """The fingerprint checked during the current request: one check per request, not one per caller."""

    active = False
    fingerprints: dict[str, tuple] | None = None


_memo = _RequestMemo()


def request_started(**kwargs) -> None:
    _memo.active, _memo.fingerprints = True, {}


def request_finished(**kwargs) -> None:
    _memo.active, _memo.fingerprints = False, None


def taxonomy_snapshot(using: str = "default") -> TaxonomySnapshot:
    """This process's snapshot of the taxonomy, reloaded when the database's differs.

    Within a request the fingerprint is read once (the results page asks for the snapshot
    from the view, the filters and the finder); outside requests (tasks, commands) every time.
    """
    memo = _memo.fingerprints if _memo.active else None
    fingerprint = memo.get(using) if memo is not None else None
    if fingerprint is None:
        with connection.cursor() as cursor:
            cursor.execute(FINGERPRINT_SQL)
            fingerprint = tuple(cursor.fetchone())
        if memo is not None:
            memo[using] = fingerprint
    snapshot = _current.get(using)
    if snapshot is not None and snapshot.fingerprint == fingerprint:
        return snapshot
    with _lock:
        snapshot = _load(fingerprint)
        _current[using] = snapshot
    return snapshot


def _load(fingerprint: tuple) -> TaxonomySnapshot:
    snapshot = TaxonomySnapshot(fingerprint=fingerprint)
    for category in Category.objects.order_by("order", "pk"):
        snapshot.categories[category.pk] = category
        snapshot.category_children.setdefault(category.parent_id, []).append(category)
    for code, _name in settings.LANGUAGES:
        snapshot.category_slugs[code] = {getattr(c, f"slug_{code}"): c for c in snapshot.categories.values()}
    for place in Location.objects.order_by("order", "name"):
        snapshot.locations[place.pk] = place
        snapshot.location_children.setdefault(place.parent_id, []).append(place)
    for code, _name in settings.LANGUAGES:
        # A place without a slug of its own in a language answers to its default-language one there.
        snapshot.location_slugs[code] = {
            getattr(p, f"slug_{code}") or p.slug_ru or p.slug: p for p in snapshot.locations.values()
        }
    options = Prefetch("options", queryset=AttributeOption.objects.order_by("order", "pk"))
    by_category: dict[int, list[Attribute]] = defaultdict(list)
    for attribute in Attribute.objects.prefetch_related(options).order_by("order", "pk"):
        attribute.category = snapshot.categories[attribute.category_id]
        by_category[attribute.category_id].append(attribute)
    snapshot.attributes = dict(by_category)
    return snapshot
