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
from .postgres_sql import LISTINGS, distinct_parts

# Rows of the listings table read (whole pages picked at random, the same ones every time) to learn which
# share of a broad text query's matches its largest part finds.
SHARE_ROWS = 5000


class BaseTotals:
    """Mixed into ``PostgresBackend`` (which provides ``_where``, ``_tsquery`` and ``_tsquery_parts``)."""

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

    def _tsquery(self, q: str, *, synonyms: bool = True) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _tsquery_parts(self, q: str, *, synonyms: bool = True) -> list[tuple[str, tuple[Any]]]:
        raise NotImplementedError

    def _text_base_total(self, query: ListingQuery, *, passing: int, looked_at: int) -> int:
        """The base of a text query with more matches than were looked at: the share of the matches looked at
        that pass the base's other conditions, times the estimate of the text matches alone (the planner's
        estimate of text *and* category together assumes they are independent: 30% low on a category page)."""
        return round(self._text_total(query.q) * passing / max(looked_at, 1))

    def _text_total(self, q: str) -> int:
        """How many visible listings match the text alone, when there are too many to count.

        The query ORs the words as typed with their other script and their synonyms, over the Russian and
        the Latin vectors. The planner estimates each part well, but takes ORed parts as independent and
        counts a repeated lexeme again, while they overlap in ways it cannot know: a listing's vector holds
        its words in both scripts (`kvartira` at 1M: estimated 379k for 114k matches), whereas a Russian and
        an Uzbek synonym find different listings (`prodam`: 683k matches, its largest part 331k). So: the
        largest part's estimate (one EXPLAIN of a UNION ALL of the parts, whose branches carry one each),
        divided by the share of the query's matches that part finds, counted on random pages of the table
        (``TABLESAMPLE SYSTEM``, ~``SHARE_ROWS`` rows, the same pages every time so a count does not
        wobble between requests). The first matches in the table's order would be a biased sample: rows
        are stored in the order they came, a category or a language at a time.
        """
        where, params = self._where(ListingQuery())
        parts = distinct_parts(self._tsquery_parts(q))
        # A parallel plan would give each branch's rows per worker. A parallel-unsafe function in the
        # select list keeps the whole plan serial in this one statement (EXPLAIN runs nothing: it is
        # never called); it changes no estimate, which is the WHERE's.
        branches_sql = [
            f"SELECT pg_current_xact_id() FROM {LISTINGS} l WHERE {where} AND l.search_vector @@ {part}"  # noqa: S608
            for part, _ in parts
        ]
        branches_sql.append(f"SELECT NULL::xid8 FROM {LISTINGS} l")  # noqa: S608  (the table's size, for the sample's percentage)
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(branches_sql),
                [x for _, part_params in parts for x in (*params, *part_params)],
            )
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        *estimates, table_rows = [int(branch["Plan Rows"]) for branch in plan[0]["Plan"]["Plans"]]
        best = max(range(len(estimates)), key=estimates.__getitem__)
        if len(parts) == 1:
            return estimates[best]
        percent = min(100.0, 100.0 * SHARE_ROWS / max(table_rows, 1))
        (best_part, best_params), (tsquery, ts_params) = parts[best], self._tsquery(q)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FILTER (WHERE l.search_vector @@ {best_part}), count(*) "  # noqa: S608  (our own SQL)
                f"FROM {LISTINGS} l TABLESAMPLE SYSTEM (%s) REPEATABLE (1) WHERE {where} AND l.search_vector @@ {tsquery}",
                [*best_params, percent, *params, *ts_params],
            )
            found, looked_at = cursor.fetchone()
        return round(estimates[best] * looked_at / found) if found else estimates[best]

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
