"""Reads of where promotions show: pinned TOP slots above a category's results, the spotlight
carousel of the home page and category headers, and the seller's dashboard (what each listing
has running, until when).

Pinned slots: on a category page's first page, up to ``PROMOTION_TOP_SLOTS`` listings with a
running "top" promotion that also match the page's filters (text included), in an order that
rotates every hour (md5 of id and the hour). No more TOPs run at once in a category than it has
slots (``inventory``), so on its own category's pages every buyer is pinned for its whole window;
a parent category's page shows its subtree's TOPs in turns. The running check is made here, at
query time (``ends_at > now``), so an expired top is never pinned even when the expiry task is
late. Both the pinned slots and the spotlight reach the results page through
``classifieds.search.placement`` (registered in ``PromotionsConfig.ready``): search sits below
promotions and never imports it. They are read on every search, so they must stay cheap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import CharField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils import timezone

from classifieds.core.pagecache import valid_until
from classifieds.listings.models import Listing
from classifieds.search.backends.base import SearchBackend
from classifieds.search.query import ListingQuery

from .inventory import top_slots
from .models import Promotion, PromotionType

SPOTLIGHT_SLOTS = 8


def rotation_seed(now: datetime) -> str:
    """Changes every hour: which running tops (and spotlights) get the few slots rotates with it."""
    return now.strftime("%Y%m%d%H")


def _rotation_key(pk: int, seed: str) -> tuple[str, int]:
    """The same order as SQL's ``ORDER BY md5(id::text || seed), id`` (the spotlight's)."""
    return hashlib.md5(f"{pk}{seed}".encode(), usedforsecurity=False).hexdigest(), pk


def pinned_listing_ids(backend: SearchBackend, query: ListingQuery, *, limit: int | None = None) -> list[int]:
    """Ids of promoted listings matching ``query`` to show above the results on its first page."""
    limit = top_slots() if limit is None else limit
    if query.category_id is None or limit <= 0:
        return []
    now = timezone.now()
    running = dict(
        Promotion.objects.live(now)
        .of_type(PromotionType.TOP)
        .filter(listing__category__path__contains=[query.category_id])
        .values_list("listing_id", "ends_at")
    )
    candidates = set(running)
    # A cached page must not pin a top past its end, nor keep the order past the hour's rotation.
    valid_until(min([*running.values(), _next_hour(now)]))
    if not candidates:
        return []
    matching = backend.filter_ids(query, sorted(candidates))
    seed = rotation_seed(now)
    return sorted(matching, key=lambda pk: _rotation_key(pk, seed))[:limit]


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def spotlight_cards(*, category=None, limit: int = SPOTLIGHT_SLOTS) -> list[Listing]:
    """Listings with a running spotlight (in ``category``'s subtree, if given), rotating hourly, for cards."""
    now = timezone.now()
    running = Promotion.objects.live(now).of_type(PromotionType.SPOTLIGHT)
    if category is not None:
        running = running.filter(listing__category__path__contains=[category.pk])
    windows = list(running.filter(listing__in=Listing.objects.active()).values_list("listing_id", "ends_at"))
    valid_until(min([ends_at for _, ends_at in windows] + [_next_hour(now)]))  # a cached page must not outlive them
    ids = sorted({pk for pk, _ in windows})
    if not ids:
        return []
    order = (
        Listing.objects.filter(pk__in=ids)
        .annotate(rotation=MD5(Concat(Cast("pk", CharField()), Value(rotation_seed(now)))))
        .order_by("rotation", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    chosen = list(order)
    rows = Listing.objects.for_cards().in_bulk(chosen)
    # Labelled by the carousel's heading ("Promoted"); the card's own badge says TOP, which these are not.
    return [rows[pk] for pk in chosen if pk in rows]


@dataclass(frozen=True)
class ListingPromotionStatus:
    """What one listing has bought that still counts: TOP and spotlight windows, the last bump."""

    top_from: datetime | None = None
    top_until: datetime | None = None
    spotlight_from: datetime | None = None
    spotlight_until: datetime | None = None
    bumped_at: datetime | None = None
    now: datetime | None = None

    @property
    def top_queued(self) -> bool:
        return bool(self.top_from and self.now and self.top_from > self.now)

    @property
    def spotlight_queued(self) -> bool:
        return bool(self.spotlight_from and self.now and self.spotlight_from > self.now)


def listing_promotion_status(listing_ids: list[int]) -> dict[int, ListingPromotionStatus]:
    """Promotions of a page of listings, in one query (listings without any are left out)."""
    if not listing_ids:
        return {}
    now = timezone.now()
    rows = Promotion.objects.filter(listing_id__in=listing_ids).status_by_listing(now)
    found = {}
    for row in rows:
        listing_id = row.pop("listing_id")
        if any(row.values()):
            found[listing_id] = ListingPromotionStatus(**row, now=now)
    return found
