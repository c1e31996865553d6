"""The search backend interface every backend implements (and the contract tests check)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.core.cache import cache, caches

from ..query import ListingQuery, SearchResults, Summary

GENERATION_KEY = "search:generation"


class SearchBackend:
    """Indexes listings and answers ``ListingQuery``s.

    Subclasses implement ``index``, ``delete``, ``rebuild``, ``ids``,
    ``compute_summary``, ``correct`` and ``autocomplete``; ``search`` and the
    summary cache are shared. ``OPTIONS`` (from ``settings.SEARCH_BACKENDS``):
    ``SUMMARY_CACHE_TTL`` seconds (0: off) for count + facets keyed by the query.
    """

    def __init__(self, alias: str, config: dict[str, Any]) -> None:
        self.alias = alias
        self.config = config
        self.options: dict[str, Any] = config.get("OPTIONS", {})
        self.summary_ttl = int(self.options.get("SUMMARY_CACHE_TTL", 120))

    @property
    def metrics_label(self) -> str:
        """The backend's name in metrics: ``postgres``, ``opensearch``."""
        return type(self).__name__.removesuffix("Backend").lower()

    # --- writes -----------------------------------------------------------------------
    def index(self, listing_ids: Sequence[int]) -> None:
        """(Re)index these listings: active ones become findable, others disappear."""
        raise NotImplementedError

    def delete(self, listing_ids: Sequence[int]) -> None:
        """Make these listings unfindable."""
        raise NotImplementedError

    def rebuild(self, *, progress: bool = False, columns: bool = True) -> None:
        """Rebuild everything the backend keeps from the listings table.

        ``columns=False``: the listings' search columns in PostgreSQL are already computed (a bulk load).
        """
        raise NotImplementedError

    def reprice(self, currency: str) -> None:
        """Prices in ``currency`` changed in sum (a new exchange rate); ``price_uzs`` is already stored."""

    def refresh_counts(self) -> None:
        """Refresh precomputed counts, if the backend keeps any."""

    # --- reads ------------------------------------------------------------------------
    def search(self, query: ListingQuery, *, load=None) -> SearchResults:
        """Results of ``query``; a text query that finds nothing is retried with typos corrected.

        ``load``: ids -> {id: row}, how result rows are loaded (default: listings for cards).
        """
        results = SearchResults(self, query, load=load)
        if query.q and results.count() == 0:
            corrected = self.correct(query.q)
            if corrected and corrected.casefold() != query.q.casefold():
                retry = SearchResults(self, replace(query, q=corrected), load=load)
                if retry.count():
                    retry.corrected_q = corrected
                    results = retry
        return results

    def filter_ids(self, query: ListingQuery, listing_ids: Sequence[int]) -> set[int]:
        """Which of ``listing_ids`` the query finds (its filters and text), whatever their rank.

        The default knows no filters: on an unfiltered page every active listing matches,
        on any other it cannot tell and keeps none. Backends with filters override it.
        """
        if not query.is_browse or query.location_id is not None:
            return set()
        from classifieds.listings.models import Listing

        return set(Listing.objects.active().filter(pk__in=list(listing_ids)).values_list("pk", flat=True))

    def ids(self, query: ListingQuery, *, offset: int, limit: int, **hints) -> list[int]:
        """Ids of the listings at ``offset`` in the query's order (``hints``: what the summary learnt)."""
        raise NotImplementedError

    def summary(self, query: ListingQuery) -> Summary:
        """Total and facets, from the cache when fresh (the indexer bumps the generation)."""
        if self.summary_ttl <= 0:
            return self.compute_summary(query)
        # The summary lives in the "volatile" cache (Redis, else per process): storing it is never an SQL
        # write on the read path. Its validity is the generation the indexer bumps in the shared cache
        # (a read), so every process sees an index change at once.
        key = f"search:summary:{self.alias}:{query.cache_key}"
        generation = summary_generation()
        store = caches["volatile"]
        cached = store.get(key)
        if cached is not None and cached[0] == generation:
            summary = cached[1]
            summary.source = "cache"
            return summary
        summary = self.compute_summary(query)
        if summary.source != "precomputed":  # precomputed counts are already one cheap read
            store.set(key, (generation, summary), self.summary_ttl)
        return summary

    def compute_summary(self, query: ListingQuery) -> Summary:
        raise NotImplementedError

    def correct(self, text: str) -> str:
        """``text`` with misspelt words replaced by known ones ("" when nothing to correct)."""
        return ""

    def autocomplete(self, prefix: str, *, limit: int = 8) -> list[str]:
        """Known words starting with ``prefix``, most frequent first."""
        return []

    # --- helpers ----------------------------------------------------------------------
    @staticmethod
    def invalidate_summaries() -> None:
        """Cached counts and facets become stale (called after indexing)."""
        # A new unique value rather than ``incr``: no read-modify-write race between two workers.
        cache.set(GENERATION_KEY, time.time_ns(), None)


def summary_generation() -> int:
    """The indexer's generation number (0 before the first indexing)."""
    return cache.get(GENERATION_KEY) or 0


def chunked(ids: Iterable[int], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
