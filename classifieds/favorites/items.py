"""Reads: a visitor's favorites as the /saved/ page lists them (signed in, or kept in the session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest

from classifieds.listings.models import Listing

from .models import Favorite
from .session import session_favorites


@dataclass
class SavedItem:
    listing: Listing
    saved_price: Decimal | None
    saved_currency: str
    saved_at: datetime

    @property
    def state(self) -> str:
        """active, sold, expired or unavailable (never silently dropped from the list)."""
        if self.listing.is_visible:
            return "active"
        if self.listing.status == Listing.Status.SOLD:
            return "sold"
        if self.listing.status in (Listing.Status.EXPIRED, Listing.Status.ACTIVE):
            return "expired"
        return "unavailable"

    @property
    def price_change(self) -> str:
        """Whether the price went "down" or "up" (or "") compared with the price when saved (same currency only)."""
        current = self.listing.price if self.listing.price_type == Listing.PriceType.AMOUNT else None
        if current is None or self.saved_price is None or self.saved_currency != self.listing.currency:
            return ""
        if current < self.saved_price:
            return "down"
        if current > self.saved_price:
            return "up"
        return ""


def saved_items(request: HttpRequest) -> list[SavedItem]:
    if request.user.is_authenticated:
        rows = Favorite.objects.of(request.user).newest().select_related("listing__location")
        items = [SavedItem(f.listing, f.saved_price, f.saved_currency, f.created_at) for f in rows]
    else:
        entries = session_favorites(request.session)
        listings = Listing.objects.select_related("location").in_bulk([e.listing_id for e in entries])
        items = [
            SavedItem(listings[e.listing_id], e.saved_price, e.saved_currency, e.created_at)
            for e in entries
            if e.listing_id in listings
        ]
    return [item for item in items if item.listing.status != Listing.Status.DELETED]
