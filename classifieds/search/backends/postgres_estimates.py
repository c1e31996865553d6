"""How many rows a sampled base has, when the one-pass summary read only its newest ``FACET_SAMPLE``.

Part of the PostgreSQL backend (``postgres.py``), apart for size: the estimates behind "≈ N".
Exact where it can be (precomputed counts of category/region pages, all text matches read); otherwise
extrapolated from the sample's time window; the planner's estimate only where nothing better is known.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.db import connection

from ..query import ListingQuery
from .postgres_sql import LISTINGS


class BaseTotals:
    """Mixed into ``PostgresBackend`` (which provides ``_where``)."""

    def _where(self, query: ListingQuery, *, skip: str = "", text_first: bool = False) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _base_total(
        self, base_query: ListingQuery, where: str, params: list[Any], *, sampled: int, oldest: int | None
    ) -> int:
        """How many rows the base (no text) has: exact from the precomputed counts of a plain category or region
        page; otherwise extrapolated from the sample's time window.

        The planner cannot estimate numeric ranges on ``attrs_num`` (it assumes a third of the rows pass each
        bound: 3× low with one range) nor how often a listing has photos in a category. The sample holds the
        base's newest ``sampled`` rows, refreshed since ``oldest``: the share of the *parent* page (the same
        category and place, without ranges and photo) that passes the base in that window, times the parent's
        total (exact when precomputed), estimates the base. One index-only count over the window.
        """
        if base_query.is_browse:
            exact = self._precomputed_total(base_query)
            if exact is not None:
                return exact
        parent = replace(base_query, ranges=(), with_photo=False)
        if oldest is None or parent == base_query:
            return self._estimate(where, params)
        parent_where, parent_params = self._where(parent)
        parent_total = self._precomputed_total(parent) if parent.is_browse else None
        if parent_total is None:
            parent_total = self._estimate(parent_where, parent_params)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {LISTINGS} l WHERE {parent_where} AND l.refreshed_at >= to_timestamp(%s)",  # noqa: S608
                [*parent_params, oldest],
            )
            in_window = cursor.fetchone()[0]
        if not in_window:
            return self._estimate(where, params)
        return round(parent_total * min(1.0, sampled / in_window))

    def _text_base_total(self, query: ListingQuery, *, passing: int, looked_at: int) -> int:
        """The base of a text query with more matches than were looked at: the share of the matches looked at
        that pass the base's other conditions, times the planner's estimate of the text matches alone (its
        estimate of text *and* category together assumes they are independent: 30% low on a category page).
        The planner's estimate of the text alone is 10–20% low for very common words (measured at 100k)."""
        text_where, text_params = self._where(ListingQuery(q=query.q))
        return round(self._estimate(text_where, text_params) * passing / max(looked_at, 1))

    def _precomputed_total(self, query: ListingQuery) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count FROM search_facetcount WHERE category_id = %s AND region_id = %s AND value = 0",
                [query.category_id or 0, query.location_id or 0],
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def _estimate(self, where: str, params: list[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {LISTINGS} l WHERE {where}", params)  # noqa: S608
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
