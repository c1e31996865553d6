"""Sitemaps for crawlers: an index, the categories, the categories in places, and active listings split per category and month.

Every address is absolute from ``BASE_URL`` (never the request's host). Each page is listed in
every language with its alternates under the hreflang codes the pages themselves use (``ru-UZ``,
``uz-UZ``, ``x-default``), a ``lastmod``, and for listings the photos (``image:image``).

Listings go into one file per top-level category and month of creation (a listing stays in its
file for life, so unchanged files stay unchanged); a file holds at most ``URLS_PER_FILE`` URLs,
and a bigger month is paged (``?p=2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from django.conf import settings
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from classifieds.listings.models import Listing
from classifieds.seo.meta import HREFLANG, absolute, alternate_paths
from classifieds.taxonomy.models import Category, Location
from classifieds.taxonomy.paths import srp_path

URLS_PER_FILE = 50_000  # the protocol's limit


def listings_per_file() -> int:
    """Each listing is one URL per language."""
    return URLS_PER_FILE // len(settings.LANGUAGES)


@dataclass(frozen=True)
class Entry:
    """One page, in every language: ``{language code: absolute URL}``, when it last changed, its images."""

    urls: dict[str, str]
    lastmod: datetime
    images: tuple[str, ...] = ()

    def hreflangs(self) -> list[tuple[str, str]]:
        pairs = [(HREFLANG[code], url) for code, url in self.urls.items()]
        if settings.LANGUAGE_CODE in self.urls:
            pairs.append(("x-default", self.urls[settings.LANGUAGE_CODE]))
        return pairs


@dataclass(frozen=True)
class Section:
    """One child sitemap: its name in ``/sitemap-<name>.xml``, its page (``?p=``) and lastmod."""

    name: str
    page: int
    lastmod: datetime

    @property
    def url(self) -> str:
        return absolute(f"/sitemap-{self.name}.xml" + (f"?p={self.page}" if self.page > 1 else ""))


def _month_range(month: str) -> tuple[datetime, datetime] | None:
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=timezone.get_current_timezone())
    except ValueError:
        return None
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _category_stamps() -> dict[int, datetime]:
    """Per category: when a listing in its subtree last changed."""
    paths = dict(Category.objects.values_list("pk", "path"))
    stamps: dict[int, datetime] = {}
    rows = Listing.objects.active().values("category_id").annotate(changed=Max("updated_at")).order_by()
    for row in rows:
        for pk in paths.get(row["category_id"], []):
            if pk not in stamps or row["changed"] > stamps[pk]:
                stamps[pk] = row["changed"]
    return stamps


def category_entries() -> list[Entry]:
    stamps = _category_stamps()
    fallback = max(stamps.values(), default=None) or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    entries = []
    for category in Category.objects.order_by("path"):
        urls = {code: absolute(path) for code, path in alternate_paths(lambda c=category: srp_path(c)).items()}
        entries.append(Entry(urls=urls, lastmod=stamps.get(category.pk, fallback)))
    return entries


def _place_stamps() -> dict[tuple[int, int], datetime]:
    """Per (category, place) pair with active listings in both subtrees: when one of them last changed."""
    category_paths = dict(Category.objects.values_list("pk", "path"))
    place_paths = dict(Location.objects.values_list("pk", "path"))
    stamps: dict[tuple[int, int], datetime] = {}
    rows = (
        Listing.objects.active()
        .filter(location__isnull=False)
        .values("category_id", "location_id")
        .annotate(changed=Max("updated_at"))
        .order_by()
    )
    for row in rows:
        for category in category_paths.get(row["category_id"], []):
            for place in place_paths.get(row["location_id"], []):
                key = (category, place)
                if key not in stamps or row["changed"] > stamps[key]:
                    stamps[key] = row["changed"]
    return stamps


def place_entries() -> list[Entry]:
    """The category-in-a-place landing pages that show listings, each language with its own slugs.

    At most one file's worth: the pairs whose listings changed last first.
    """
    stamps = _place_stamps()
    pairs = sorted(stamps, key=lambda pair: (-stamps[pair].timestamp(), pair))[: listings_per_file()]
    categories = Category.objects.in_bulk({category for category, _place in pairs})
    places = Location.objects.in_bulk({place for _category, place in pairs})
    entries = []
    for category_id, place_id in sorted(pairs, key=lambda pair: (categories[pair[0]].path, places[pair[1]].path)):
        category, place = categories[category_id], places[place_id]
        paths = alternate_paths(lambda c=category, p=place: srp_path(c, p))
        entries.append(
            Entry(urls={code: absolute(path) for code, path in paths.items()}, lastmod=stamps[category_id, place_id])
        )
    return entries


def sections() -> list[Section]:
    """The index: the categories file, then one file (or more pages) per top category and month."""
    rows = (
        Listing.objects.active()
        .annotate(month=TruncMonth("created_at"))
        .values("category__path__0", "month")
        .annotate(count=Count("pk"), changed=Max("updated_at"))
        .order_by("category__path__0", "month")
    )
    found = [
        Section(f"listings-{row['category__path__0']}-{row['month']:%Y-%m}", page, row["changed"])
        for row in rows
        for page in range(1, ceil(row["count"] / listings_per_file()) + 1)
    ]
    newest = max((section.lastmod for section in found), default=None)
    categories = Section("categories", 1, newest or timezone.now())
    places = [Section("places", 1, newest)] if newest is not None and _has_place_pages() else []
    return [categories, *places, *found]


def _has_place_pages() -> bool:
    return Listing.objects.active().filter(location__isnull=False).exists()


def listing_entries(name: str, page: int) -> list[Entry] | None:
    """The entries of ``listings-<top category id>-<YYYY-MM>`` page ``page``; None when no such file."""
    _, top, month = name.split("-", 2) if name.count("-") >= 3 else ("", "", "")
    span = _month_range(month)
    if not top.isdigit() or span is None or page < 1:
        return None
    size = listings_per_file()
    listings = list(
        Listing.objects.active()
        .filter(category__path__0=int(top), created_at__gte=span[0], created_at__lt=span[1])
        .only("pk", "slug", "updated_at")
        .prefetch_related("photos")
        .order_by("pk")[(page - 1) * size : page * size]
    )
    if not listings:
        return None
    entries = []
    for listing in listings:
        urls = {code: absolute(path) for code, path in alternate_paths(listing.get_absolute_url).items()}
        photos = sorted(
            (p for p in listing.photos.all() if p.status == "ready" and p.image), key=lambda p: (p.order, p.pk)
        )
        entries.append(
            Entry(urls=urls, lastmod=listing.updated_at, images=tuple(absolute(p.image.url) for p in photos))
        )
    return entries
