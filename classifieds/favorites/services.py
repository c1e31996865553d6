"""Writes on favorites. ``Listing.favorites_count`` always equals the listing's Favorite rows."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from classifieds.accounts.models import User
from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.money import format_money
from classifieds.listings.notices import LISTING_PRICE_DROPPED
from classifieds.listings.services import listings_favorites_adjust
from classifieds.notifications.services import notify, recipient_language

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


@transaction.atomic
def favorites_notify_price_drop(*, event_ids: list[int]) -> int:
    """Tell everyone who keeps a listing that its price went down (``listing.price_dropped`` events); how many.

    Each event is taken once (locked, skipped by a concurrent run, marked processed in this
    transaction); the notices' own dedupe makes a repeated drop within a day one notice.
    """
    events = list(
        Event.objects.select_for_update(skip_locked=True)
        .filter(pk__in=event_ids, topic=LISTING_PRICE_DROPPED, processed_at__isnull=True)
        .order_by("pk")
    )
    told = 0
    for event in events:
        listing = Listing.objects.active().filter(pk=event.subject_id).first()
        if listing is None:
            continue
        currency = event.payload.get("currency", listing.currency)
        for favorite in Favorite.objects.filter(listing=listing).exclude(user=listing.owner).select_related("user"):
            with translation.override(recipient_language(favorite.user)):
                context = {
                    "listing_id": listing.pk,
                    "title": listing.title,
                    "url": listing.get_absolute_url(),
                    "old_price": format_money(Decimal(event.payload["old_price"]), currency),
                    "new_price": format_money(Decimal(event.payload["new_price"]), currency),
                }
            told += (
                notify(user=favorite.user, kind="favorite.price_drop", context=context, subject=f"listing:{listing.pk}")
                is not None
            )
    Event.objects.filter(pk__in=[event.pk for event in events]).update(processed_at=timezone.now())
    return told
