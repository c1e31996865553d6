"""Writes on favorites. ``Listing.favorites_count`` always equals the listing's Favorite rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from classifieds.accounts.models import User
from classifieds.listings.models import Listing
from classifieds.listings.services import listings_favorites_adjust

from .models import Favorite
from .session import SessionFavorite


def _bump(listing_ids: list[int], delta: int) -> None:
    listings_favorites_adjust(listing_ids=listing_ids, delta=delta)


@transaction.atomic
def favorite_toggle(*, user: User, listing: Listing) -> bool:
    """Add ``listing`` to the user's favorites, or remove it; True when it is now a favorite."""
    deleted, _ = Favorite.objects.filter(user=user, listing=listing).delete()
    if deleted:
        _bump([listing.pk], -1)
        return False
    price = listing.price if listing.price_type == Listing.PriceType.AMOUNT else None
    _, created = Favorite.objects.get_or_create(
        user=user, listing=listing, defaults={"saved_price": price, "saved_currency": listing.currency}
    )
    if created:
        _bump([listing.pk], 1)
    return True


@transaction.atomic
def favorite_merge(*, user: User, entries: Iterable[SessionFavorite]) -> int:
    """Add an anonymous visitor's favorites to the account they signed in to; returns how many were new.

    A listing already in the account keeps its original row (and saved price): no duplicates.
    """
    wanted = {entry.listing_id: entry for entry in entries}
    if not wanted:
        return 0
    existing = set(Favorite.objects.filter(user=user, listing_id__in=wanted).values_list("listing_id", flat=True))
    live = set(
        Listing.objects.filter(pk__in=wanted).exclude(status=Listing.Status.DELETED).values_list("pk", flat=True)
    )
    new = [
        Favorite(
            user=user,
            listing_id=pk,
            saved_price=entry.saved_price,
            saved_currency=entry.saved_currency,
            created_at=entry.created_at,
        )
        for pk, entry in wanted.items()
        if pk in live and pk not in existing
    ]
    Favorite.objects.bulk_create(new, ignore_conflicts=True)
    _bump([f.listing_id for f in new], 1)
    return len(new)
