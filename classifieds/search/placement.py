"""What other apps place on the results page besides the results: pinned slots above them, a spotlight.

Paid placement belongs to the promotions app, which sits above search in the
layer order: search never imports it. Promotions registers its providers here
from ``PromotionsConfig.ready``; the results page asks through these functions
and shows nothing extra when no provider is registered. Relevance is not
boosted from here: a running TOP or spotlight reaches the ranking of both backends through
``Listing.promoted_until`` (``docs/ranking.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends.base import SearchBackend
    from .query import ListingQuery

PinnedProvider = Callable[["SearchBackend", "ListingQuery"], list[int]]
SpotlightProvider = Callable[..., list[Any]]

_providers: dict[str, Callable] = {}


def placement_register(*, pinned: PinnedProvider | None = None, spotlight: SpotlightProvider | None = None) -> None:
    """``pinned(backend, query)``: ids to pin above page 1; ``spotlight(category=, limit=)``: listings for cards."""
    if pinned is not None:
        _providers["pinned"] = pinned
    if spotlight is not None:
        _providers["spotlight"] = spotlight


def pinned_ids(backend: SearchBackend, query: ListingQuery) -> list[int]:
    """Ids of listings pinned above the first page of ``query``'s results (none without a provider)."""
    provider = _providers.get("pinned")
    return provider(backend, query) if provider is not None and query.page == 1 else []


def spotlight(*, category, limit: int) -> list[Any]:
    """Listings (ready for cards) to head ``category``'s results page with (none without a provider)."""
    provider = _providers.get("spotlight")
    return provider(category=category, limit=limit) if provider is not None else []
