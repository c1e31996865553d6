"""Reads of where promotions show: the spotlight carousel of the home page and category headers,
and the seller's dashboard (what each listing has running, until when).

The SRP's pinned TOP slots are in ``classifieds.search.promotions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils import timezone

from classifieds.listings.models import Listing
from classifieds.search.promotions import rotation_seed

from .models import Promotion, PromotionType

SPOTLIGHT_SLOTS = 8


def spotlight_cards(*, category=None, limit: int = SPOTLIGHT_SLOTS) -> list[Listing]:
    """Listings with a running spotlight (in ``category``'s subtree, if given), rotating hourly, for cards."""
    now = timezone.now()
    running = Promotion.objects.live(now).of_type(PromotionType.SPOTLIGHT)
    if category is not None:
        running = running.filter(listing__category__path__contains=[category.pk])
    ids = list(running.filter(listing__in=Listing.objects.active()).values_list("listing_id", flat=True).distinct())
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
