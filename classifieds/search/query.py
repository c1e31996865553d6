"""What a search asks for (``ListingQuery``) and what it returns (``SearchResults``).

Both are backend-neutral. Filters and facets speak in *facet value ids*, one
integer space shared by every backend (PostgreSQL stores them in
``Listing.facet_values``, OpenSearch in the document's ``facet_values``):

- an attribute option is its ``AttributeOption`` id (below ``CATEGORY``);
- a category in a listing's path is ``CATEGORY + id``, a location ``LOCATION + id``;
- ``CONDITION + 1`` new, ``+ 2`` used; ``PHOTO`` has a photo;
- ``SELLER + 1`` private, ``+ 2`` business; ``BOOLEAN + attribute id`` a yes/no attribute set to yes.

Price buckets are not stored: they are counted from ``price_uzs`` over ``PRICE_LADDER``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from classifieds.core.observability.metrics import search_timed

if TYPE_CHECKING:
    from .backends.base import SearchBackend

CATEGORY = 1_000_000
LOCATION = 2_000_000
CONDITION = 3_000_000
CONDITION_VALUES = {"new": CONDITION + 1, "used": CONDITION + 2}
PHOTO = 3_100_001
SELLER = 3_200_000
SELLER_VALUES = {"private": SELLER + 1, "business": SELLER + 2}
PRICE = 4_000_000  # + bucket; only in precomputed counts, never stored on a listing
BOOLEAN = 5_000_000
MAX_OPTION_ID = CATEGORY - 1

# Price buckets in sum (bucket i is PRICE_LADDER[i-1] <= price < PRICE_LADDER[i]; the last is open).
PRICE_LADDER = (
    0,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
)

SORTS = ("relevance", "newest", "price_asc", "price_desc", "distance")
# "Near me": the radii buyers can choose, in km.
RADII_KM = (5, 10, 25, 50)


def price_bucket_bounds(bucket: int) -> tuple[int, int | None]:
    """(price_min, price_max) in sum, both inclusive, of bucket ``bucket`` (1-based)."""
    low = PRICE_LADDER[bucket - 1]
    high = PRICE_LADDER[bucket] - 1 if bucket < len(PRICE_LADDER) else None
    return low, high


@dataclass(frozen=True)
class OptionFilter:
    """Listings with any of ``values`` (OR within an attribute, condition or seller type)."""

    group: str  # "attrs.make", "condition", "seller"
    values: tuple[int, ...]


@dataclass(frozen=True)
class RangeFilter:
    """A numeric attribute between ``low`` and ``high`` (inclusive; None is open)."""

    key: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class ListingQuery:
    """A search, parsed and validated from the URL. Hashable; ``cache_key`` ignores sort and page."""

    q: str = ""
    category_id: int | None = None
    category_is_leaf: bool = False
    location_id: int | None = None
    location_is_region: bool = False
    options: tuple[OptionFilter, ...] = ()
    ranges: tuple[RangeFilter, ...] = ()
    price_min_uzs: int | None = None
    price_max_uzs: int | None = None
    with_photo: bool = False
    sort: str = "newest"
    page: int = 1
    # Saved-search alerts: only listings published after (published_at, id) and up to a moment.
    published_after: tuple[datetime, int] | None = None
    published_until: datetime | None = None
    # "Near me": the buyer's position or chosen place (lat, lon), and a radius around it in km.
    near: tuple[float, float] | None = None
    radius_km: int | None = None

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")
        if self.page < 1:
            raise ValueError("page starts at 1")
        if (self.sort == "distance" or self.radius_km is not None) and self.near is None:
            raise ValueError("a distance sort or radius needs a point to measure from")
        if self.near is not None and not (-90 <= self.near[0] <= 90 and -180 <= self.near[1] <= 180):
            raise ValueError(f"not a point on Earth: {self.near!r}")

    @property
    def has_price(self) -> bool:
        return self.price_min_uzs is not None or self.price_max_uzs is not None

    @property
    def is_browse(self) -> bool:
        """A category (and region) page with no text and no filter: counts can be precomputed."""
        if self.published_after is not None or self.published_until is not None:
            return False
        if self.radius_km is not None:
            return False
        return not (self.q or self.options or self.ranges or self.has_price or self.with_photo) and (
            self.location_id is None or self.location_is_region
        )

    def without_group(self, group: str) -> ListingQuery:
        """The same query without one option group (``"price"`` drops the price range)."""
        if group == "price":
            return replace(self, price_min_uzs=None, price_max_uzs=None)
        return replace(self, options=tuple(f for f in self.options if f.group != group))

    def with_group(self, group: str, values: Sequence[int]) -> ListingQuery:
        """The same query with ``group`` set to exactly ``values``."""
        kept = tuple(f for f in self.options if f.group != group)
        return replace(self, options=(*kept, OptionFilter(group, tuple(values))))

    @property
    def cache_key(self) -> str:
        """Identifies what count and facets depend on (not sort, not page; the point only with a radius)."""
        parts = replace(self, sort="newest", page=1, near=self.near if self.radius_km is not None else None)
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@dataclass
class Facets:
    """Counts per facet value id, for the results and for each selected group without its own filter.

    ``values``: facet value id -> number of results having it (categories,
    locations, options, condition, photo, seller). ``by_group``: for each
    selected group, the counts *without* that group's filter (what you would
    get by choosing that value instead); only that group's values are
    meaningful there (a backend may return others). ``price``: bucket -> count, without
    the price filter. ``approximate``: counted on a sample of a very large result set.
    """

    values: dict[int, int] = field(default_factory=dict)
    by_group: dict[str, dict[int, int]] = field(default_factory=dict)
    price: dict[int, int] = field(default_factory=dict)
    approximate: bool = False

    def for_group(self, group: str) -> dict[int, int]:
        return self.by_group.get(group, self.values)


@dataclass
class Summary:
    """Total and facets of a query (independent of sort and page)."""

    total: int
    facets: Facets
    approximate: bool = False
    source: str = "live"  # live, sample, precomputed, cache
    text_matches: int | None = None  # listings matching the text alone (capped), when the backend counted them


class SearchResults(Sequence):
    """Lazy results of one query, usable by Django's Paginator.

    ``count()`` asks the backend for the summary (total and facets, once);
    slicing asks it for the ordered ids of that window and loads the rows with
    one ``in_bulk`` (``load``, default: listings prepared for cards).
    """

    def __init__(
        self,
        backend: SearchBackend,
        query: ListingQuery,
        *,
        load: Callable[[list[int]], dict[int, Any]] | None = None,
    ) -> None:
        self.backend = backend
        self.query = query
        self._load = load or _load_cards
        self._summary: Summary | None = None
        self.corrected_q = ""
        self.pinned_ids: list[int] = []

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            with search_timed(backend=self.backend.metrics_label, operation="summary"):
                self._summary = self.backend.summary(self.query)
        return self._summary

    @property
    def facets(self) -> Facets:
        return self.summary.facets

    @property
    def approximate(self) -> bool:
        return self.summary.approximate

    def count(self) -> int:  # type: ignore[override]  # Paginator calls count(), like a QuerySet
        return self.summary.total

    def __len__(self) -> int:
        return self.count()

    def ids(self, offset: int, limit: int) -> list[int]:
        hints = {}
        if self._summary is not None and self._summary.text_matches is not None:
            hints["text_matches"] = self._summary.text_matches
        with search_timed(backend=self.backend.metrics_label, operation="ids"):
            return self.backend.ids(self.query, offset=offset, limit=limit, **hints)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            start = index.start or 0
            stop = index.stop if index.stop is not None else start + 40
            ids = self.ids(start, max(stop - start, 0))
            rows = self._load(ids) if ids else {}
            return [rows[i] for i in ids if i in rows]
        page = self[index : index + 1]
        if not page:
            raise IndexError(index)
        return page[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(self[0 : self.count()])


def _load_cards(ids: list[int]) -> dict[int, Any]:
    from classifieds.listings.models import Listing

    return Listing.objects.for_cards().in_bulk(ids)
