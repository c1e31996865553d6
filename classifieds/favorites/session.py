"""Favorites of an anonymous visitor, kept in the session until they sign in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

SESSION_KEY = "favorites"
MAX_SESSION_FAVORITES = 200


@dataclass(frozen=True)
class SessionFavorite:
    listing_id: int
    saved_price: Decimal | None
    saved_currency: str
    created_at: datetime


def session_favorites(session: SessionBase) -> list[SessionFavorite]:
    """The visitor's favorites, newest first (malformed entries are dropped)."""
    entries = []
    for raw in session.get(SESSION_KEY, []):
        try:
            pk, price, currency, at = raw
            entries.append(
                SessionFavorite(
                    int(pk), Decimal(price) if price is not None else None, str(currency), datetime.fromisoformat(at)
                )
            )
        except (TypeError, ValueError, ArithmeticError):
            continue
    return sorted(entries, key=lambda e: e.created_at, reverse=True)


def session_favorite_ids(session: SessionBase) -> set[int]:
    return {entry.listing_id for entry in session_favorites(session)}


def session_toggle(session: SessionBase, listing) -> bool:
    """Add or remove ``listing``; True when it is now a favorite."""
    entries = [e for e in session_favorites(session) if e.listing_id != listing.pk]
    added = len(entries) == len(session.get(SESSION_KEY, []))
    if added:
        price = listing.price if listing.price_type == "amount" else None
        entries.insert(0, SessionFavorite(listing.pk, price, listing.currency, timezone.now()))
    session[SESSION_KEY] = [
        [
            e.listing_id,
            str(e.saved_price) if e.saved_price is not None else None,
            e.saved_currency,
            e.created_at.isoformat(),
        ]
        for e in entries[:MAX_SESSION_FAVORITES]
    ]
    return added


def session_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
