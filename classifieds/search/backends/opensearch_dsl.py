"""OpenSearch request bodies as plain dicts: the index mapping, documents, queries, alias switches.

Pure functions (no client, no database), so they are unit-tested without a
server. The documents carry the same ``facet_values`` ids as the PostgreSQL
backend, which keeps filters and facets identical across backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import TextChoices

from classifieds.core.text import CYRILLIC_TO_LATIN

from ..query import PRICE_LADDER, Facets, ListingQuery, Summary
from ..text import APOSTROPHES, UZ_SUFFIXES

FACET_TERMS_SIZE = 5000
NEWEST = [{"refreshed_at": {"order": "desc"}}, {"id": {"order": "desc"}}]
SORTS: dict[str, list] = {
    "relevance": ["_score", *NEWEST],
    "newest": NEWEST,
    "price_asc": [{"price_uzs": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
    "price_desc": [{"price_uzs": {"order": "desc", "missing": "_last"}}, {"id": {"order": "desc"}}],
}


class Analyzer(TextChoices):
    RU = "bozor_ru"
    RU_SEARCH = "bozor_ru_search"
    LAT = "bozor_lat"
    LAT_PREFIX = "bozor_lat_prefix"


def translit_mappings() -> list[str]:
    """``char_filter`` mappings for the Latin skeleton (the twin of ``text.latin_skeleton``)."""
    rules = []
    for cyrillic, latin in CYRILLIC_TO_LATIN.items():
        latin = "".join(ch for ch in latin if ch not in APOSTROPHES)
        for letter in {cyrillic, cyrillic.upper()}:
            rules.append(f"{letter}=>{latin}")
    rules += [f"\\u{ord(mark):04x}=>" for mark in APOSTROPHES]
    return rules


def uz_suffix_filter() -> dict[str, str]:
    """A token filter dropping one Uzbek ending when four letters remain (the twin of ``text.uz_stem``).

    The lazy stem makes the longest ending win, as in ``uz_stem`` and the SQL ``bozor_uz_stem``.
    """
    endings = "|".join(sorted(UZ_SUFFIXES, key=len, reverse=True))
    return {"type": "pattern_replace", "pattern": f"^(\\w{{4,}}?)({endings})$", "replacement": "$1"}


def index_body(synonyms: Iterable[Sequence[str]]) -> dict[str, Any]:
    """Settings and mapping of a ``listings_v<N>`` index."""
    synonym_lines = [", ".join(term.lower() for term in group) for group in synonyms if len(group) > 1]
    lat_text = {
        "type": "text",
        "analyzer": Analyzer.LAT_PREFIX,
        "search_analyzer": Analyzer.LAT,
    }
    ru_text = {
        "type": "text",
        "analyzer": Analyzer.RU,
        "search_analyzer": Analyzer.RU_SEARCH,
        "fields": {"lat": lat_text},
    }
    return {
        "settings": {
            "index": {"number_of_shards": 1, "number_of_replicas": 0, "max_ngram_diff": 20},
            "analysis": {
                "char_filter": {"bozor_translit": {"type": "mapping", "mappings": translit_mappings()}},
                "filter": {
                    "bozor_ru_stop": {"type": "stop", "stopwords": "_russian_"},
                    "bozor_ru_stemmer": {"type": "stemmer", "language": "russian"},
                    "bozor_synonyms": {"type": "synonym_graph", "synonyms": synonym_lines, "lenient": True},
                    "bozor_prefix": {"type": "edge_ngram", "min_gram": 3, "max_gram": 20},
                    "bozor_uz_suffix": uz_suffix_filter(),
                },
                "analyzer": {
                    Analyzer.RU: {
                        "tokenizer": "standard",
                        "filter": ["lowercase", "bozor_ru_stop", "bozor_ru_stemmer"],
                    },
                    Analyzer.RU_SEARCH: {
                        "tokenizer": "standard",
                        "filter": ["lowercase", "bozor_synonyms", "bozor_ru_stop", "bozor_ru_stemmer"],
                    },
                    Analyzer.LAT: {
                        "char_filter": ["bozor_translit"],
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", "bozor_uz_suffix"],
                    },
                    Analyzer.LAT_PREFIX: {
                        "char_filter": ["bozor_translit"],
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", "bozor_uz_suffix", "bozor_prefix"],
                    },
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "long"},
                "title": ru_text,
                "attrs_text": ru_text,
                "names": ru_text,
                "description": ru_text,
                "status": {"type": "keyword"},
                "category_id": {"type": "integer"},
                "category_path": {"type": "keyword"},
                "location_path": {"type": "keyword"},
                "facet_values": {"type": "integer"},
                "attrs": {
                    "type": "nested",
                    "properties": {
                        "key": {"type": "keyword"},
                        "option": {"type": "keyword"},
                        "option_id": {"type": "integer"},
                        "number": {"type": "double"},
                    },
                },
                "price": {"type": "scaled_float", "scaling_factor": 100},
                "currency": {"type": "keyword"},
                "price_uzs": {"type": "long"},
                "condition": {"type": "keyword"},
                "has_photo": {"type": "boolean"},
                "seller": {"type": "keyword"},
                "refreshed_at": {"type": "date"},
                "published_at": {"type": "date"},
                "expires_at": {"type": "date"},
                "quality_score": {"type": "float"},
                "promoted_until": {"type": "date"},
                "location": {"type": "geo_point"},
            },
        },
    }


def document(row: dict[str, Any]) -> dict[str, Any]:
    """A search document from one row of ``DOCUMENTS_SQL``."""
    doc = {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "attrs_text": row["attrs_text"] or "",
        "names": row["names"] or "",
        "status": row["status"],
        "category_id": row["category_id"],
        "category_path": [str(pk) for pk in row["category_path"]],
        "location_path": [str(pk) for pk in row["location_path"]],
        "facet_values": list(row["facet_values"]),
        "attrs": [
            {k: v for k, v in attr.items() if v is not None and k in {"key", "option", "option_id", "number"}}
            for attr in row["attrs"] or []
        ],
        "price": float(row["price"]) if row["price"] is not None else None,
        "currency": row["currency"],
        "price_uzs": row["price_uzs"],
        "condition": row["condition"] or None,
        "has_photo": bool(row["has_photo"]),
        "seller": "business" if row["is_business"] else "private",
        "refreshed_at": row["refreshed_at"].isoformat(),
        "published_at": row["published_at"].isoformat() if row.get("published_at") else None,
        "expires_at": row["expires_at"].isoformat() if row["expires_at"] else None,
        "quality_score": row["quality_score"],
        "promoted_until": row["promoted_until"].isoformat() if row.get("promoted_until") else None,
        "location": {"lat": float(row["lat"]), "lon": float(row["lon"])} if row["lat"] is not None else None,
    }
    return doc


def geo_point(point: tuple[float, float]) -> dict[str, float]:
    lat, lon = point
    return {"lat": lat, "lon": lon}


def sort_of(query: ListingQuery) -> list:
    """The ``sort`` of a request: ``SORTS``, or nearest first from the query's point (no point last)."""
    if query.sort == "distance" and query.near is not None:
        distance = {"location": geo_point(query.near), "order": "asc", "unit": "km", "ignore_unmapped": True}
        return [{"_geo_distance": distance}, {"id": {"order": "asc"}}]
    return SORTS[query.sort]


def text_query(q: str) -> dict[str, Any]:
    """As typed (Russian stemming, synonyms) or by Latin skeleton prefixes, with typo tolerance on the latter."""
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": q,
                        "fields": ["title^3", "attrs_text^2", "description", "names^0.5"],
                        "type": "cross_fields",
                        "operator": "and",
                    }
                },
                {
                    "multi_match": {
                        "query": q,
                        "fields": ["title.lat^3", "attrs_text.lat^2", "description.lat^0.5", "names.lat^0.5"],
                        "type": "best_fields",
                        "operator": "and",
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def base_filters(query: ListingQuery) -> list[dict[str, Any]]:
    """Filters that are never disjunctive: visibility, place in the trees, photo, numeric ranges."""
    filters: list[dict[str, Any]] = [
        {"term": {"status": "active"}},
        {"range": {"expires_at": {"gt": "now"}}},
    ]
    if query.category_id is not None:
        if query.category_is_leaf:
            filters.append({"term": {"category_id": query.category_id}})
        else:
            filters.append({"term": {"category_path": str(query.category_id)}})
    if query.location_id is not None:
        filters.append({"term": {"location_path": str(query.location_id)}})
    if query.with_photo:
        filters.append({"term": {"has_photo": True}})
    if query.published_after is not None:
        # The alert cursor (published_at, id): later, or the same instant with a greater id.
        after, after_id = query.published_after
        filters.append(
            {
                "bool": {
                    "should": [
                        {"range": {"published_at": {"gt": after.isoformat()}}},
                        {
                            "bool": {
                                "filter": [
                                    {"term": {"published_at": after.isoformat()}},
                                    {"range": {"id": {"gt": after_id}}},
                                ]
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if query.published_until is not None:
        filters.append({"range": {"published_at": {"lte": query.published_until.isoformat()}}})
    if query.radius_km is not None and query.near is not None:
        filters.append({"geo_distance": {"distance": f"{query.radius_km}km", "location": geo_point(query.near)}})
    for bound in query.ranges:
        limits = {k: v for k, v in (("gte", bound.low), ("lte", bound.high)) if v is not None}
        filters.append(
            {
                "nested": {
                    "path": "attrs",
                    "query": {
                        "bool": {"filter": [{"term": {"attrs.key": bound.key}}, {"range": {"attrs.number": limits}}]}
                    },
                }
            }
        )
    return filters


def group_filters(query: ListingQuery, *, skip: str = "") -> list[dict[str, Any]]:
    """Filters of the option groups and the price range (each can be left out for its own facet)."""
    filters: list[dict[str, Any]] = [
        {"terms": {"facet_values": list(option.values)}}
        for option in query.options
        if option.values and option.group != skip
    ]
    if skip != "price" and query.has_price:
        limits = {k: v for k, v in (("gte", query.price_min_uzs), ("lte", query.price_max_uzs)) if v is not None}
        filters.append({"range": {"price_uzs": limits}})
    return filters


def price_ranges() -> list[dict[str, Any]]:
    ranges = []
    for bucket in range(1, len(PRICE_LADDER) + 1):
        item: dict[str, Any] = {"key": str(bucket), "from": PRICE_LADDER[bucket - 1]}
        if bucket < len(PRICE_LADDER):
            item["to"] = PRICE_LADDER[bucket]
        ranges.append(item)
    return ranges


def search_body(
    query: ListingQuery,
    *,
    offset: int = 0,
    limit: int = 0,
    facets: bool = False,
    freshness_days: float = 14,
    promotion_boost: float = 1.5,
) -> dict[str, Any]:
    """One search request: ids of a page (``limit``) and/or count + facets (``facets``)."""
    bool_query: dict[str, Any] = {"filter": base_filters(query)}
    if query.q:
        bool_query["must"] = [text_query(query.q)]
    main: dict[str, Any] = {"bool": bool_query}
    if query.sort == "relevance":
        main = {
            "function_score": {
                "query": main,
                "functions": [
                    {"exp": {"refreshed_at": {"origin": "now", "scale": f"{freshness_days:g}d", "decay": 0.5}}},
                    {"field_value_factor": {"field": "quality_score", "missing": 1, "modifier": "none"}},
                    # A function whose filter does not match is left out of the product (× 1).
                    {"filter": {"range": {"promoted_until": {"gt": "now"}}}, "weight": promotion_boost},
                ],
                "score_mode": "multiply",
                "boost_mode": "multiply",
            }
        }
    body: dict[str, Any] = {
        "query": main,
        "from": offset,
        "size": limit,
        "sort": sort_of(query),
        "track_total_hits": True,
        "_source": False,
    }
    selected = group_filters(query)
    if selected:
        body["post_filter"] = {"bool": {"filter": selected}}
    if facets:
        values = {"terms": {"field": "facet_values", "size": FACET_TERMS_SIZE}}
        prices = {"range": {"field": "price_uzs", "ranges": price_ranges()}}
        aggs: dict[str, Any] = {
            "all": {"filter": {"bool": {"filter": selected}}, "aggs": {"values": values}},
        }
        groups = [option.group for option in query.options if option.values]
        if query.has_price:
            groups.append("price")
        else:
            aggs["all"]["aggs"]["price"] = prices
        for group in dict.fromkeys(groups):
            sub = {"price": prices} if group == "price" else {"values": values}
            aggs[f"group:{group}"] = {"filter": {"bool": {"filter": group_filters(query, skip=group)}}, "aggs": sub}
        body["aggs"] = aggs
    return body


def filter_ids_body(query: ListingQuery, listing_ids: Sequence[int]) -> dict[str, Any]:
    """Which of ``listing_ids`` the query finds: every filter of the page (groups and text included)."""
    bool_query: dict[str, Any] = {
        "filter": [*base_filters(query), *group_filters(query), {"ids": {"values": [str(pk) for pk in listing_ids]}}]
    }
    if query.q:
        bool_query["must"] = [text_query(query.q)]
    return {"query": {"bool": bool_query}, "size": len(listing_ids), "_source": False}


def parse_summary(response: dict[str, Any]) -> Summary:
    """Total and facets from a response to ``search_body(..., facets=True)``."""
    aggs = response.get("aggregations", {})
    facets = Facets()
    facets.values = {int(b["key"]): b["doc_count"] for b in aggs.get("all", {}).get("values", {}).get("buckets", [])}
    for name, agg in aggs.items():
        if not name.startswith("group:"):
            continue
        group = name.removeprefix("group:")
        if group == "price":
            facets.price = _price_counts(agg["price"])
        else:
            facets.by_group[group] = {int(b["key"]): b["doc_count"] for b in agg["values"]["buckets"]}
    if "price" in aggs.get("all", {}):
        facets.price = _price_counts(aggs["all"]["price"])
    total = response["hits"]["total"]
    return Summary(total=total["value"] if isinstance(total, dict) else int(total), facets=facets)


def _price_counts(agg: dict[str, Any]) -> dict[int, int]:
    return {int(b["key"]): b["doc_count"] for b in agg["buckets"] if b["doc_count"]}


def parse_ids(response: dict[str, Any]) -> list[int]:
    return [int(hit["_id"]) for hit in response["hits"]["hits"]]


def alias_actions(alias: str, old_indices: Iterable[str], new_index: str) -> dict[str, Any]:
    """One atomic ``_aliases`` request moving ``alias`` from the old indices to the new one."""
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in sorted(old_indices)]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return {"actions": actions}


def next_version(alias: str, existing: Iterable[str]) -> int:
    """1 + the highest ``<alias>_v<N>`` among ``existing`` index names."""
    versions = [0]
    for name in existing:
        suffix = name.removeprefix(f"{alias}_v")
        if name.startswith(f"{alias}_v") and suffix.isdigit():
            versions.append(int(suffix))
    return max(versions) + 1
