"""What every page needs for the favorite buttons, computed only when used."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .buttons import button_in_context
from .models import Favorite
from .session import session_favorite_ids


def _favorite_ids(request: HttpRequest) -> set[int]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return set(Favorite.objects.of(user).values_list("listing_id", flat=True))
    session = getattr(request, "session", None)
    return session_favorite_ids(session) if session is not None else set()


def favorites(request: HttpRequest) -> dict:
    return {
        # The cards' action slot (``{% card %}`` in listings calls it with the card's context and listing).
        "card_actions": button_in_context,
        "favorite_ids": SimpleLazyObject(lambda: _favorite_ids(request)),
    }
