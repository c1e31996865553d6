"""Reads of where promotions show: the spotlight carousel of the home page and category headers.

The SRP's pinned TOP slots are in ``classifieds.search.promotions``.
"""

from __future__ import annotations

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
