"""The OpenSearch backend, for deployments that outgrow counting in PostgreSQL.

Listings live in a versioned index ``<alias>_v<N>`` behind the alias (default
``listings``); ``rebuild()`` fills a new version and switches the alias in one
atomic request, so searches never see a half-built index. Request bodies are
built by ``opensearch_dsl`` (unit-tested without a server); the shared
contract suite runs against a real server when ``OPENSEARCH_URL`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

from ..query import PHOTO, ListingQuery, Summary
from ..synonyms import synonym_groups
from . import opensearch_dsl as dsl
from .base import SearchBackend, chunked
from .postgres_sql import DENORMALIZE_SQL, LISTINGS

logger = logging.getLogger(__name__)

# One row per listing with everything its document needs (after DENORMALIZE_SQL ran on it).
DOCUMENTS_SQL = f"""
SELECT l.id, l.title, l.description, l.status, l.category_id, cat.path AS category_path,
  loc.path AS location_path, l.facet_values, l.price, l.currency, l.price_uzs, l.condition,
  ({PHOTO} = ANY(l.facet_values)) AS has_photo, u.is_business, l.refreshed_at, l.published_at, l.expires_at, l.quality_score,
  l.promoted_until, l.geo_lat AS lat, l.geo_lon AS lon,
  (SELECT json_agg(json_build_object('key', a.key, 'option', o.value, 'option_id', v.option_id,
                                     'number', v.value_number))
     FROM listings_listingattributevalue v JOIN taxonomy_attribute a ON a.id = v.attribute_id
     LEFT JOIN taxonomy_attributeoption o ON o.id = v.option_id WHERE v.listing_id = l.id) AS attrs,
  (SELECT string_agg(concat_ws(' ', o.label_ru, o.label_uz, v.value_text,
                     CASE WHEN v.value_bool THEN concat_ws(' ', a.label_ru, a.label_uz) END), ' ')
     FROM listings_listingattributevalue v JOIN taxonomy_attribute a ON a.id = v.attribute_id
     LEFT JOIN taxonomy_attributeoption o ON o.id = v.option_id WHERE v.listing_id = l.id) AS attrs_text,
  (SELECT string_agg(concat_ws(' ', c.name_ru, c.name_uz), ' ') FROM taxonomy_category c WHERE c.id = ANY(cat.path))
  || ' ' ||
  (SELECT string_agg(concat_ws(' ', c.name_ru, c.name_uz), ' ') FROM taxonomy_location c WHERE c.id = ANY(loc.path))
  AS names
FROM {LISTINGS} l
JOIN taxonomy_category cat ON cat.id = l.category_id
JOIN taxonomy_location loc ON loc.id = l.location_id
JOIN accounts_user u ON u.id = l.owner_id
WHERE l.id = ANY(%s) AND l.status = 'active' AND l.expires_at > now()
"""  # noqa: S608


class OpenSearchBackend(SearchBackend):
    """``URL`` (required), OPTIONS: ``ALIAS`` (default "listings"), ``FRESHNESS_DAYS`` (14), ``BATCH`` (1000),
    ``PROMOTION_BOOST`` (relevance × this while a TOP or spotlight runs, 1.5),
    ``CLIENT`` (extra keyword arguments of ``opensearchpy.OpenSearch``, e.g. auth or a connection class)."""

    def __init__(self, alias: str, config: dict[str, Any]) -> None:
        super().__init__(alias, config)
        self.url = config["URL"]
        self.index_alias = self.options.get("ALIAS", "listings")
        self.freshness_days = float(self.options.get("FRESHNESS_DAYS", 14))
        self.promotion_boost = float(self.options.get("PROMOTION_BOOST", 1.5))
        self.batch = int(self.options.get("BATCH", 1000))
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from opensearchpy import OpenSearch

            options = {"timeout": 10, "max_retries": 2, "retry_on_timeout": True, **self.options.get("CLIENT", {})}
            self._client = OpenSearch(self.url, **options)
        return self._client

    # --- writes -----------------------------------------------------------------------
    def index(self, listing_ids: Sequence[int]) -> None:
        ids = sorted({int(pk) for pk in listing_ids})
        if not ids:
            return
        self._bulk(self.index_alias, ids, refresh="wait_for")
        self.invalidate_summaries()

    def delete(self, listing_ids: Sequence[int]) -> None:
        from opensearchpy import helpers

        actions = ({"_op_type": "delete", "_index": self.index_alias, "_id": str(pk)} for pk in listing_ids)
        helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")
        self.invalidate_summaries()

    def rebuild(self, *, progress: bool = False, columns: bool = True) -> None:
        """Fill ``<alias>_v<N+1>`` with every active listing, then move the alias to it atomically.

        ``columns`` changes nothing here: every batch recomputes its rows' columns before it is read.
        """
        from tqdm import tqdm

        existing = list(self.client.indices.get(index=f"{self.index_alias}_v*", ignore_unavailable=True) or {})
        new_index = f"{self.index_alias}_v{dsl.next_version(self.index_alias, existing)}"
        self.client.indices.create(index=new_index, body=dsl.index_body(synonym_groups()))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {LISTINGS} WHERE status = 'active' ORDER BY id")  # noqa: S608
            ids = [row[0] for row in cursor.fetchall()]
        for chunk in tqdm(list(chunked(ids, self.batch)), unit=" batches", disable=not progress, desc=new_index):
            self._bulk(new_index, chunk, refresh=False)
        self.client.indices.refresh(index=new_index)
        current = self.client.indices.get_alias(name=self.index_alias, ignore=404)
        old = [name for name in (current or {}) if name != "error" and name != "status"]
        self.client.indices.update_aliases(body=dsl.alias_actions(self.index_alias, old, new_index))
        for name in existing:
            if name != new_index:
                self.client.indices.delete(index=name, ignore=[404])
        self.invalidate_summaries()

    def reprice(self, currency: str) -> None:
        """Prices in sum changed: re-send the documents priced in ``currency``."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {LISTINGS} WHERE currency = %s AND status = 'active'",  # noqa: S608
                [currency],
            )
            ids = [row[0] for row in cursor.fetchall()]
        for chunk in chunked(ids, self.batch):
            self._bulk(self.index_alias, chunk, refresh=False)

    def _bulk(self, index: str, ids: list[int], *, refresh) -> None:
        from opensearchpy import helpers

        docs = {doc["id"]: doc for doc in self._documents(ids)}
        actions: list[dict[str, Any]] = []
        for pk in ids:
            if pk in docs:
                actions.append({"_op_type": "index", "_index": index, "_id": str(pk), "_source": docs[pk]})
            else:
                actions.append({"_op_type": "delete", "_index": index, "_id": str(pk)})
        helpers.bulk(self.client, actions, raise_on_error=False, refresh=refresh)

    def _documents(self, ids: list[int]) -> Iterator[dict[str, Any]]:
        """Documents of the active ones among ``ids`` (their database search columns refreshed first)."""
        with connection.cursor() as cursor:
            cursor.execute(DENORMALIZE_SQL.replace("__CONDITION__", "l.id = ANY(%s)"), [ids])
            cursor.execute(DOCUMENTS_SQL, [ids])
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
        for row in rows:
            yield dsl.document(row)

    # --- reads ------------------------------------------------------------------------
    def ids(self, query: ListingQuery, *, offset: int, limit: int, **hints) -> list[int]:
        if limit <= 0:
            return []
        body = dsl.search_body(
            query,
            offset=offset,
            limit=limit,
            freshness_days=self.freshness_days,
            promotion_boost=self.promotion_boost,
        )
        return dsl.parse_ids(self.client.search(index=self.index_alias, body=body))

    def filter_ids(self, query: ListingQuery, listing_ids: Sequence[int]) -> set[int]:
        """Which of ``listing_ids`` the query finds (pinned slots on filtered and text pages ask it)."""
        if not listing_ids:
            return set()
        body = dsl.filter_ids_body(query, listing_ids)
        return set(dsl.parse_ids(self.client.search(index=self.index_alias, body=body)))

    def compute_summary(self, query: ListingQuery) -> Summary:
        body = dsl.search_body(query, facets=True, freshness_days=self.freshness_days)  # counts need no score
        return dsl.parse_summary(self.client.search(index=self.index_alias, body=body))
