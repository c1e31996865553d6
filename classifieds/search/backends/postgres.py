"""The PostgreSQL search backend (the default): denormalized columns on the listings table.

What stays fast at a million listings was measured (``SEARCH-AT-SCALE.md``,
``docs/search-benchmark.md``); this module follows that design:

- every filter is a condition on one row: ``facet_values int[]`` (options,
  category and location ancestry, condition, photo, seller; see ``query.py``),
  ``attrs_num jsonb`` for numeric ranges, ``price_uzs`` for prices in any
  currency, and a stored weighted ``search_vector`` (title A, attributes B,
  description C, category and place names D) in Russian stemming and in the
  Latin skeleton;
- result rows come from partial covering indexes (index-only scans), ranking
  looks only at the newest ``RANK_CANDIDATES`` text matches, and text matches
  are found once through the text index (``_text_cte``);
- count and facets are one SQL statement, one pass over at most
  ``FACET_SAMPLE`` base rows (``_live_summary``: disjunctive counts from one
  boolean per selected group); beyond that counts are scaled (shown as
  approximate); unfiltered category and region pages read precomputed counts
  (``search_facetcount``) when large;
- the columns are (re)computed by set-based UPDATEs: ``index(ids)`` after a
  listing changes (from the outbox), ``rebuild()`` for everything.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import connection, transaction

from ..query import (
    CATEGORY,
    LOCATION,
    PHOTO,
    PRICE,
    Facets,
    ListingQuery,
    Summary,
)
from ..synonyms import synonym_groups
from ..text import has_operators, latin_tsquery, synonym_variants, words
from .base import SearchBackend, chunked
from .postgres_estimates import BaseTotals
from .postgres_sql import (
    ACTIVE,
    CATALOG_TERMS_SQL,
    DENORMALIZE_SQL,
    FACET_COUNTS_SQL,
    LADDER_SQL,
    LATIN_PART,
    LISTINGS,
    POINT_SQL,
    RU_PART,
    TERMS_SQL,
    TEXT_COLUMNS,
    TEXT_FIRST_FROM,
    denormalize,
    distinct_parts,
)

logger = logging.getLogger(__name__)


class PostgresBackend(BaseTotals, SearchBackend):
    """Search in the database itself: nothing else to run, consistent with every write.

    OPTIONS: ``FACET_SAMPLE`` (rows counted live, default 10000), ``TEXT_SAMPLE`` (text matches looked
    at, 20000), ``RANK_CANDIDATES``
    (newest text matches ranked, 1000), ``FRESHNESS_DAYS`` (relevance halves about
    every 0.7 × this, 14), ``PROMOTION_BOOST`` (relevance × this while a TOP or spotlight runs, 1.5), ``REBUILD_CHUNK`` (rows per UPDATE, 20000), plus the base options.
    """

    def __init__(self, alias: str, config: dict[str, Any]) -> None:
        super().__init__(alias, config)
        self.sample = int(self.options.get("FACET_SAMPLE", 10_000))
        self.candidates = int(self.options.get("RANK_CANDIDATES", 1000))
        self.freshness_days = float(self.options.get("FRESHNESS_DAYS", 14))
        self.promotion_boost = float(self.options.get("PROMOTION_BOOST", 1.5))
        self.chunk = int(self.options.get("REBUILD_CHUNK", 20_000))
        self.text_limit = int(self.options.get("TEXT_SAMPLE", 20_000))

    # --- writes -----------------------------------------------------------------------
    def index(self, listing_ids: Sequence[int]) -> None:
        ids = sorted({int(pk) for pk in listing_ids})
        if not ids:
            return
        with connection.cursor() as cursor:
            for chunk in chunked(ids, self.chunk):
                cursor.execute(DENORMALIZE_SQL.replace("__CONDITION__", "l.id = ANY(%s)"), [chunk])
                cursor.execute(
                    "INSERT INTO search_term (word, listings) "
                    + TERMS_SQL.replace("__CONDITION__", "l.id = ANY(%s) AND l.status = 'active'")
                    + " ON CONFLICT (word) DO UPDATE SET listings = search_term.listings + EXCLUDED.listings",
                    [chunk, chunk],
                )
        self.invalidate_summaries()

    def delete(self, listing_ids: Sequence[int]) -> None:
        # Rows are filtered by status and expiry on every read: nothing to remove here.
        self.invalidate_summaries()

    def rebuild(self, *, progress: bool = False, columns: bool = True) -> None:
        """Recompute every listing's search columns, the vocabulary and the precomputed counts.

        ``columns=False``: the search columns are computed already (``seed_demo`` computes them with
        ``denormalize`` in its load, before it builds the indexes); only what is derived from them is.
        """
        if columns:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT min(id), max(id) FROM {LISTINGS}")  # noqa: S608
                low, high = cursor.fetchone()
            if low is not None:
                denormalize(None, low, high, chunk=self.chunk, progress=progress)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_term")
            cursor.execute(
                "INSERT INTO search_term (word, listings) SELECT w, sum(n) FROM ("  # noqa: S608
                + TERMS_SQL.replace("__CONDITION__", "l.status = 'active'")
                + " UNION ALL "
                + CATALOG_TERMS_SQL
                + ") t(w, n) GROUP BY w"
            )
        self.refresh_counts()
        if not connection.in_atomic_block:
            # Every row was rewritten: compact the indexes (readers are not blocked; not needed when the
            # load built them after computing the columns) and refresh the visibility map and
            # statistics, so index-only scans and plans are right from the start.
            with connection.cursor() as cursor:
                if columns:
                    cursor.execute(f"REINDEX (CONCURRENTLY) TABLE {LISTINGS}")
                cursor.execute(f"VACUUM (ANALYZE) {LISTINGS}")
        self.invalidate_summaries()

    def refresh_counts(self) -> None:
        """Recount unfiltered category and region pages (readers see the old counts until commit)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_facetcount")
            cursor.execute(FACET_COUNTS_SQL)

    # --- reads ------------------------------------------------------------------------
    def ids(self, query: ListingQuery, *, offset: int, limit: int, text_matches: int | None = None) -> list[int]:
        """``text_matches``: the exact number of text matches when known (from the summary); when it is
        small, the text index drives the query (the planner would otherwise re-check text row by row)."""
        if limit <= 0:
            return []
        # Text matches counted (not too many): start from the text index. Otherwise (very many, or
        # unknown) walk the sort order and check the text on the way, which is fast when matches are dense.
        text_first = bool(query.q) and text_matches is not None and text_matches <= self.text_limit
        prefix, prefix_params = self._text_cte(query, limit=None) if text_first else ("", [])
        source = TEXT_FIRST_FROM if text_first else f"{LISTINGS} l"
        where, params = self._where(query, text_first=text_first)
        if query.sort == "relevance":
            # Rank only the newest candidates; the ranking reads the vector, so join back for those only.
            rank, rank_params = self._rank(query)
            sql = f"""{prefix}
                SELECT c.id FROM (
                  SELECT l.id, l.refreshed_at FROM {source} WHERE {where}
                  ORDER BY l.refreshed_at DESC, l.id DESC LIMIT %s
                ) c JOIN {LISTINGS} l ON l.id = c.id
                ORDER BY {rank} DESC, c.refreshed_at DESC, c.id DESC OFFSET %s LIMIT %s"""  # noqa: S608
            params = [*prefix_params, *params, self.candidates, *rank_params, offset, limit]
        else:
            order_params: list[Any] = []
            if query.sort == "distance" and query.near is not None:
                # Chord distance between points of the earth cube: the same order as along the surface,
                # and an index-ordered (KNN) scan of listing_srp_geo. Listings without a point come last.
                order = f"{POINT_SQL} <-> ll_to_earth(%s, %s) ASC NULLS LAST, l.id ASC"
                order_params = list(query.near)
            else:
                order = {
                    "newest": "l.refreshed_at DESC, l.id DESC",
                    "price_asc": "l.price_uzs ASC NULLS LAST, l.id ASC",
                    "price_desc": "l.price_uzs DESC NULLS LAST, l.id DESC",
                }[query.sort]
            sql = f"{prefix} SELECT l.id FROM {source} WHERE {where} ORDER BY {order} OFFSET %s LIMIT %s"  # noqa: S608
            params = [*prefix_params, *params, *order_params, offset, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def compute_summary(self, query: ListingQuery) -> Summary:
        if query.is_browse:
            summary = self._precomputed(query)
            if summary is not None:
                return summary
        return self._live_summary(query)

    def correct(self, text: str) -> str:
        tokens = words(text)
        candidates = sorted({t for t in tokens if len(t) >= 4 and not t.isdigit()})
        if not candidates:
            return ""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT t.tok, (SELECT w.word FROM search_term w WHERE w.word %% t.tok
                               ORDER BY similarity(w.word, t.tok) DESC, w.listings DESC LIMIT 1)
                FROM unnest(%s::text[]) AS t(tok)
                WHERE NOT EXISTS (SELECT 1 FROM search_term w WHERE w.word = t.tok)
                """,
                [candidates],
            )
            fixes = {tok: word for tok, word in cursor.fetchall() if word}
        if not fixes:
            return ""
        return " ".join(fixes.get(t, t) for t in tokens)

    def autocomplete(self, prefix: str, *, limit: int = 8) -> list[str]:
        prefix = prefix.strip().lower()
        if len(prefix) < 2:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM search_term WHERE word LIKE %s ORDER BY listings DESC, word LIMIT %s",
                [prefix.replace("\\", "").replace("%", "").replace("_", "") + "%", limit],
            )
            return [row[0] for row in cursor.fetchall()]

    # --- SQL building -------------------------------------------------------------------
    def _tsquery(self, q: str, *, synonyms: bool = True, distinct: bool = True) -> tuple[str, list[Any]]:
        """The query as typed (Russian stemming) OR its Latin skeleton, for it and each synonym variant.

        ``distinct``: each set of lexemes once (``distinct_parts``), for finding and counting; ranking
        asks for every part (``False``): a part that repeats weighs more.
        """
        parts = self._tsquery_parts(q, synonyms=synonyms)
        if distinct:
            parts = distinct_parts(parts)
        return "(" + " || ".join(sql for sql, _ in parts) + ")", [param for _, (param,) in parts]

    def _tsquery_parts(self, q: str, *, synonyms: bool = True) -> list[tuple[str, tuple[Any]]]:
        """The ORed parts of ``_tsquery``, each ``(sql, (param,))`` (a part may repeat: ranking counts it twice)."""
        variants = synonym_variants(q, synonym_groups()) if synonyms else []
        parts: list[tuple[str, tuple[Any]]] = []
        for text in [q, *variants]:
            parts.append((RU_PART, (text,)))
            if has_operators(text):
                parts.append(("websearch_to_tsquery('bozor_lat', bozor_uz_stem(bozor_translit(%s)))", (text,)))
            else:
                # Always asked of the Latin vector too: it holds Uzbek stems ("plitalari" as "plita")
                # that the Russian config keeps whole.
                latin = latin_tsquery(text)
                if latin:
                    parts.append((LATIN_PART, (latin,)))
        return parts

    def _text_cte(self, query: ListingQuery, *, limit: int | None) -> tuple[str, list[Any]]:
        """``WITH t AS MATERIALIZED (...)``: the active listings matching the text, found through the text index
        alone, with the columns filters and counts need (read while the index scan visits the rows anyway)."""
        tsquery, params = self._tsquery(query.q)
        bound = " LIMIT %s" if limit is not None else ""
        sql = (
            f"WITH t AS MATERIALIZED (SELECT {TEXT_COLUMNS} FROM {LISTINGS} l "  # noqa: S608
            f"WHERE l.status = 'active' AND l.search_vector @@ {tsquery}{bound})"
        )
        return sql, [*params, *([limit] if limit is not None else [])]

    def filter_ids(self, query: ListingQuery, listing_ids: Sequence[int]) -> set[int]:
        """Which of ``listing_ids`` the query finds: its WHERE conditions over just those rows."""
        if not listing_ids:
            return set()
        where, params = self._where(query)
        sql = f"SELECT l.id FROM {LISTINGS} l WHERE {where} AND l.id = ANY(%s)"  # noqa: S608  (our own SQL)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(listing_ids)])
            return {row[0] for row in cursor.fetchall()}

    def _where(self, query: ListingQuery, *, skip: str = "", text_first: bool = False) -> tuple[str, list[Any]]:
        """WHERE conditions (on alias ``l``) of ``query``, without group ``skip``.

        ``text_first``: no text condition, the rows come from ``TEXT_FIRST_FROM`` (see ``_text_cte``).
        """
        clauses = [ACTIVE]
        params: list[Any] = []
        required: list[int] = []
        if query.category_id is not None:
            if query.category_is_leaf:
                clauses.append("l.category_id = %s")
                params.append(query.category_id)
            else:
                required.append(CATEGORY + query.category_id)
        if query.location_id is not None:
            required.append(LOCATION + query.location_id)
        if query.with_photo:
            required.append(PHOTO)
        for option in query.options:
            if option.group == skip or not option.values:
                continue
            if len(option.values) == 1:
                required.append(option.values[0])
            else:
                clauses.append("l.facet_values && %s::int[]")
                params.append(list(option.values))
        if required:
            clauses.append("l.facet_values @> %s::int[]")
            params.append(sorted(set(required)))
        for bound in query.ranges:
            if bound.low is not None:
                clauses.append("(l.attrs_num ->> %s)::numeric >= %s")
                params += [bound.key, bound.low]
            if bound.high is not None:
                clauses.append("(l.attrs_num ->> %s)::numeric <= %s")
                params += [bound.key, bound.high]
        if skip != "price":
            if query.price_min_uzs is not None:
                clauses.append("l.price_uzs >= %s")
                params.append(query.price_min_uzs)
            if query.price_max_uzs is not None:
                clauses.append("l.price_uzs <= %s")
                params.append(query.price_max_uzs)
        if query.radius_km is not None and query.near is not None:
            # The box test uses the GiST index (listing_srp_geo); the exact distance trims its corners.
            meters = query.radius_km * 1000
            lat, lon = query.near
            clauses.append(
                f"l.geo_lat IS NOT NULL AND l.geo_lon IS NOT NULL AND earth_box(ll_to_earth(%s, %s), %s) @> {POINT_SQL}"
                f" AND earth_distance(ll_to_earth(%s, %s), {POINT_SQL}) <= %s"
            )
            params += [lat, lon, meters, lat, lon, meters]
        if query.published_after is not None:
            clauses.append("(l.published_at, l.id) > (%s, %s)")
            params += list(query.published_after)
        if query.published_until is not None:
            clauses.append("l.published_at <= %s")
            params.append(query.published_until)
        if query.q and not text_first:
            tsquery, ts_params = self._tsquery(query.q)
            clauses.append(f"l.search_vector @@ {tsquery}")
            params += ts_params
        return " AND ".join(clauses), params

    def _rank(self, query: ListingQuery) -> tuple[str, list[Any]]:
        """Relevance: text rank × freshness decay × quality score × promotion boost (while a TOP/spotlight runs)."""
        params: list[Any] = []
        text = "1.0"
        if query.q:
            # Words as typed count twice: a synonym or a transliteration is a match, the original a better one.
            tsquery, params = self._tsquery(query.q, distinct=False)
            exact, exact_params = self._tsquery(query.q, synonyms=False, distinct=False)
            text = f"(0.05 + ts_rank(l.search_vector, {tsquery}) + ts_rank(l.search_vector, {exact}))"
            params = [*params, *exact_params]
        freshness = f"exp(-extract(epoch FROM now() - l.refreshed_at) / {86400 * self.freshness_days:.0f})"
        promotion = f"CASE WHEN l.promoted_until > now() THEN {self.promotion_boost:g} ELSE 1 END"
        return f"{text} * {freshness} * greatest(l.quality_score, 0.01) * {promotion}", params

    def _live_summary(self, query: ListingQuery) -> Summary:
        """Total and facets in one statement, one pass over the *base* rows.

        Base rows match everything but the option groups and the price range
        (category, place, text, numeric ranges, photo): at most FACET_SAMPLE of
        them, newest first. Each carries one boolean per selected group; a
        value's count for the results is over rows passing every group, its
        count for group g (disjunctive) over rows passing every group but g.
        Only rows failing at most one group are unnested. When the base is
        larger than the sample, counts are scaled by the base's total (exact
        from the precomputed counts, else the planner's estimate).
        """
        text_first = bool(query.q)
        source = TEXT_FIRST_FROM if text_first else f"{LISTINGS} l"
        base_query = replace(query, options=(), price_min_uzs=None, price_max_uzs=None)
        where, params = self._where(base_query, text_first=text_first)
        groups: list[str] = []
        predicates: list[str] = []
        predicate_params: list[Any] = []
        for option in query.options:
            if option.values and option.group not in groups:
                groups.append(option.group)
                predicates.append("l.facet_values && %s::int[]")
                predicate_params.append(list(option.values))
        if query.has_price:
            groups.append("price")
            bounds = []
            for operator, bound in ((">=", query.price_min_uzs), ("<=", query.price_max_uzs)):
                if bound is not None:
                    bounds.append(f"l.price_uzs {operator} %s")
                    predicate_params.append(bound)
            predicates.append("coalesce(" + " AND ".join(bounds) + ", false)")
        flags = [f"p{i}" for i in range(len(groups))]
        passes_all = " AND ".join(flags) or "true"

        def passes_all_but(i: int) -> str:
            return " AND ".join(flag for j, flag in enumerate(flags) if j != i) or "true"

        columns = "".join(f", {predicate} AS {flag}" for predicate, flag in zip(predicates, flags, strict=True))
        ctes = [
            f"b AS MATERIALIZED (SELECT l.facet_values, l.price_uzs, l.refreshed_at{columns} FROM {source} WHERE {where} "  # noqa: S608
            "ORDER BY l.refreshed_at DESC, l.id DESC LIMIT %s)"
        ]
        cte_params: list[Any] = [*predicate_params, *params, self.sample + 1]
        if text_first:
            # The text index alone finds the matches once; base rows are looked up from them.
            text_sql, text_params = self._text_cte(query, limit=self.text_limit + 1)
            ctes.insert(0, text_sql.removeprefix("WITH "))
            cte_params = [*text_params, *cte_params]
        at_most_one_fails = " + ".join(f"(NOT {flag})::int" for flag in flags) + " <= 1" if flags else "true"
        branch_counts = "".join(
            f", count(*) FILTER (WHERE {passes_all_but(i)})::int" for i, group in enumerate(groups) if group != "price"
        )
        option_groups = [group for group in groups if group != "price"]
        price_filter = passes_all_but(groups.index("price")) if "price" in groups else passes_all
        padding = ", NULL::int" * len(option_groups)
        selects = [
            f"SELECT 'base', NULL::int, count(*)::int, count(*) FILTER (WHERE {passes_all})::int{padding} FROM b",  # noqa: S608
            f"SELECT 'value', v, count(*) FILTER (WHERE {passes_all})::int, NULL::int{branch_counts} "  # noqa: S608
            f"FROM (SELECT unnest(facet_values) AS v{''.join(', ' + f for f in flags)} FROM b "
            f"WHERE {at_most_one_fails}) s GROUP BY v",
            f"SELECT 'price', width_bucket(price_uzs, {LADDER_SQL}), count(*) FILTER (WHERE {price_filter})::int, "  # noqa: S608
            f"NULL::int{padding} FROM b WHERE price_uzs IS NOT NULL GROUP BY 2",
        ]
        # The sample's oldest row: the sample is the base's newest rows, so it covers a time window.
        oldest_sql = (
            f"SELECT 'oldest', NULL::int, extract(epoch FROM min(refreshed_at))::int, NULL::int{padding} FROM b"  # noqa: S608
        )
        selects.append(oldest_sql)
        select_params: list[Any] = []
        if text_first:
            selects.append(f"SELECT 'text', NULL::int, count(*)::int, NULL::int{padding} FROM t")  # noqa: S608
            # How many of the text matches found pass the base: all of the base when the matches were not capped.
            text_base_sql = (
                f"SELECT 'text_base', NULL::int, count(*)::int, NULL::int{padding} FROM {source} WHERE {where}"  # noqa: S608
            )
            selects.append(text_base_sql)
            select_params = list(params)
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*cte_params, *select_params])
            rows = cursor.fetchall()

        facets = Facets(by_group={group: {} for group in option_groups})
        base = total = 0
        text_matches = text_base = oldest = None
        for kind, value, count, extra, *branches in rows:
            if kind == "base":
                base, total = count, extra
            elif kind == "text":
                text_matches = count
            elif kind == "text_base":
                text_base = count
            elif kind == "oldest":
                oldest = count
            elif kind == "price":
                if count:
                    facets.price[value] = count
            else:
                if count:
                    facets.values[value] = count
                for group, branch in zip(option_groups, branches, strict=True):
                    if branch:
                        facets.by_group[group][value] = branch
        text_capped = text_matches is not None and text_matches > self.text_limit
        if base <= self.sample and not text_capped:
            return Summary(total=total, facets=facets, text_matches=text_matches)

        # More base rows than the sample: scale the sample up to the base's total.
        if text_first and not text_capped:
            base_total = text_base or 0  # every text match was looked at: the base's size is exact
        elif text_first:
            base_total = self._text_base_total(query, passing=text_base or 0, looked_at=text_matches or 0)
        else:
            base_total = self._base_total(base_query, where, params, sampled=base, oldest=oldest)
        base_total = max(base_total, base)
        scale = base_total / max(base, 1)
        facets.approximate = True
        facets.values = {v: _scaled(n, scale) for v, n in facets.values.items()}
        facets.price = {v: _scaled(n, scale) for v, n in facets.price.items()}
        facets.by_group = {g: {v: _scaled(n, scale) for v, n in c.items()} for g, c in facets.by_group.items()}
        estimate = round(total * scale)
        return Summary(total=estimate, facets=facets, approximate=True, source="sample", text_matches=text_matches)

    def _precomputed(self, query: ListingQuery) -> Summary | None:
        """Counts of a large unfiltered category/region page, from the periodic refresh."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT value, count FROM search_facetcount WHERE category_id = %s AND region_id = %s",
                [query.category_id or 0, query.location_id or 0],
            )
            rows = dict(cursor.fetchall())
        total = rows.pop(0, 0)
        if total <= self.sample:
            return None
        facets = Facets()
        for value, count in rows.items():
            if PRICE < value < PRICE + 100:
                facets.price[value - PRICE] = count
            else:
                facets.values[value] = count
        return Summary(total=total, facets=facets, source="precomputed")


def _scaled(count: int, scale: float) -> int:
    return max(1, int(math.floor(count * scale + 0.5)))
