"""The OpenSearch backend without a server: its mapping and query builders, and a rebuild against a
fake server at the HTTP boundary (the contract suite runs against a real one when OPENSEARCH_URL is set)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from opensearchpy.connection import Connection

from classifieds.search.backends import opensearch_dsl as dsl
from classifieds.search.query import (
    BOOLEAN,
    CONDITION,
    PRICE_LADDER,
    ListingQuery,
    OptionFilter,
    RangeFilter,
)


def filters_of(body: dict) -> list[dict]:
    query = body["query"]
    if "function_score" in query:
        query = query["function_score"]["query"]
    return query["bool"]["filter"]


class TestMapping:
    def test_text_fields_are_russian_with_synonyms_at_search_time_and_latin_prefixes(self):
        body = dsl.index_body([["айфон", "iPhone"], ["solo"]])
        analysis = body["settings"]["analysis"]
        assert analysis["filter"]["bozor_synonyms"]["synonyms"] == ["айфон, iphone"]
        assert "bozor_synonyms" in analysis["analyzer"]["bozor_ru_search"]["filter"]
        assert "bozor_synonyms" not in analysis["analyzer"]["bozor_ru"]["filter"]
        assert analysis["filter"]["bozor_ru_stemmer"] == {"type": "stemmer", "language": "russian"}
        title = body["mappings"]["properties"]["title"]
        assert title["analyzer"] == "bozor_ru" and title["search_analyzer"] == "bozor_ru_search"
        assert title["fields"]["lat"] == {
            "type": "text",
            "analyzer": "bozor_lat_prefix",
            "search_analyzer": "bozor_lat",
        }

    def test_latin_analyzers_drop_uzbek_endings_before_taking_prefixes(self):
        analysis = dsl.index_body([])["settings"]["analysis"]
        assert analysis["filter"]["bozor_uz_suffix"]["type"] == "pattern_replace"
        assert analysis["analyzer"]["bozor_lat"]["filter"][-1] == "bozor_uz_suffix"
        prefix = analysis["analyzer"]["bozor_lat_prefix"]["filter"]
        assert prefix.index("bozor_uz_suffix") < prefix.index("bozor_prefix")
        description = dsl.index_body([])["mappings"]["properties"]["description"]
        assert description["fields"]["lat"]["analyzer"] == "bozor_lat_prefix"
        assert "description.lat^0.5" in dsl.text_query("plita")["bool"]["should"][1]["multi_match"]["fields"]

    def test_transliteration_covers_both_cases_and_drops_apostrophes(self):
        mappings = dsl.index_body([])["settings"]["analysis"]["char_filter"]["bozor_translit"]["mappings"]
        assert "к=>k" in mappings and "К=>k" in mappings
        assert "ш=>sh" in mappings and "ь=>" in mappings
        assert "ў=>o" in mappings
        assert "\\u2018=>" in mappings

    def test_ancestry_is_keywords_attributes_nested_and_places_geo_points(self):
        properties = dsl.index_body([])["mappings"]["properties"]
        assert properties["category_path"] == {"type": "keyword"}
        assert properties["location_path"] == {"type": "keyword"}
        assert properties["facet_values"] == {"type": "integer"}
        assert properties["attrs"]["type"] == "nested"
        assert set(properties["attrs"]["properties"]) == {"key", "option", "option_id", "number"}
        assert properties["location"] == {"type": "geo_point"}
        assert dsl.index_body([])["mappings"]["dynamic"] == "strict"


ROW = {
    "id": 7,
    "title": "Chevrolet Cobalt",
    "description": "Один хозяин",
    "attrs_text": "Chevrolet",
    "names": "Легковые Ташкент",
    "status": "active",
    "category_id": 12,
    "category_path": [3, 12],
    "location_path": [1, 5],
    "facet_values": [41, 1000003, 1000012],
    "attrs": [{"key": "make", "option": "chevrolet", "option_id": 41, "number": None}],
    "price": Decimal("12500.00"),
    "currency": "USD",
    "price_uzs": 158125000,
    "condition": "used",
    "has_photo": True,
    "is_business": False,
    "refreshed_at": datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
    "expires_at": datetime(2026, 12, 28, 10, 0, tzinfo=UTC),
    "quality_score": 1.0,
    "promoted_until": datetime(2026, 12, 1, tzinfo=UTC),
    "lat": Decimal("41.3"),
    "lon": Decimal("69.2"),
}


class TestDocuments:
    def test_a_row_becomes_a_document(self):
        doc = dsl.document(ROW)
        assert doc["category_path"] == ["3", "12"] and doc["location_path"] == ["1", "5"]
        assert doc["attrs"] == [{"key": "make", "option": "chevrolet", "option_id": 41}]
        assert doc["price"] == 12500.0 and doc["price_uzs"] == 158125000
        assert doc["seller"] == "private" and doc["has_photo"] is True
        assert doc["location"] == {"lat": 41.3, "lon": 69.2}
        assert doc["refreshed_at"] == "2026-11-28T10:00:00+00:00"
        assert doc["promoted_until"] == "2026-12-01T00:00:00+00:00"
        assert set(doc) <= set(dsl.index_body([])["mappings"]["properties"])


class TestQueries:
    def test_visibility_is_always_filtered(self):
        filters = filters_of(dsl.search_body(ListingQuery(), limit=40))
        assert {"term": {"status": "active"}} in filters
        assert {"range": {"expires_at": {"gt": "now"}}} in filters

    def test_a_leaf_category_is_its_id_and_a_branch_its_path(self):
        leaf = filters_of(dsl.search_body(ListingQuery(category_id=12, category_is_leaf=True)))
        branch = filters_of(dsl.search_body(ListingQuery(category_id=3)))
        assert {"term": {"category_id": 12}} in leaf
        assert {"term": {"category_path": "3"}} in branch

    def test_the_alert_window_filters_on_publication_after_the_cursor(self):
        after = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        until = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
        filters = filters_of(dsl.search_body(ListingQuery(published_after=(after, 41), published_until=until)))
        assert {"range": {"published_at": {"lte": "2026-11-28T10:00:00+00:00"}}} in filters
        cursor = next(f for f in filters if "bool" in f and "should" in f["bool"])["bool"]
        assert cursor["minimum_should_match"] == 1
        assert {"range": {"published_at": {"gt": "2026-11-28T09:00:00+00:00"}}} in cursor["should"]
        same_instant = next(c for c in cursor["should"] if "bool" in c)["bool"]["filter"]
        assert same_instant == [
            {"term": {"published_at": "2026-11-28T09:00:00+00:00"}},
            {"range": {"id": {"gt": 41}}},
        ]

    def test_places_photos_and_numeric_ranges(self):
        query = ListingQuery(location_id=5, with_photo=True, ranges=(RangeFilter("year", 2015, None),))
        filters = filters_of(dsl.search_body(query))
        assert {"term": {"location_path": "5"}} in filters
        assert {"term": {"has_photo": True}} in filters
        nested = next(f for f in filters if "nested" in f)["nested"]
        assert nested["path"] == "attrs"
        assert nested["query"]["bool"]["filter"] == [
            {"term": {"attrs.key": "year"}},
            {"range": {"attrs.number": {"gte": 2015}}},
        ]

    def test_option_groups_and_price_are_post_filters_so_their_facets_can_ignore_them(self):
        query = ListingQuery(
            options=(OptionFilter("attrs.make", (41, 42)), OptionFilter("condition", (CONDITION + 1,))),
            price_min_uzs=1_000_000,
        )
        body = dsl.search_body(query, facets=True)
        assert body["post_filter"]["bool"]["filter"] == [
            {"terms": {"facet_values": [41, 42]}},
            {"terms": {"facet_values": [CONDITION + 1]}},
            {"range": {"price_uzs": {"gte": 1_000_000}}},
        ]
        aggs = body["aggs"]
        assert aggs["all"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
        assert {"terms": {"facet_values": [41, 42]}} not in aggs["group:attrs.make"]["filter"]["bool"]["filter"]
        assert {"terms": {"facet_values": [CONDITION + 1]}} in aggs["group:attrs.make"]["filter"]["bool"]["filter"]
        assert "price" in aggs["group:price"]["aggs"] and "price" not in aggs["all"]["aggs"]
        assert {"range": {"price_uzs": {"gte": 1_000_000}}} not in aggs["group:price"]["filter"]["bool"]["filter"]

    def test_price_buckets_follow_the_ladder(self):
        ranges = dsl.price_ranges()
        assert len(ranges) == len(PRICE_LADDER)
        assert ranges[0] == {"key": "1", "from": 0, "to": PRICE_LADDER[1]}
        assert ranges[-1] == {"key": str(len(PRICE_LADDER)), "from": PRICE_LADDER[-1]}

    def test_text_matches_as_typed_or_by_latin_prefixes_with_typos(self):
        body = dsl.search_body(ListingQuery(q="кобальт", sort="newest"))
        should = body["query"]["bool"]["must"][0]["bool"]["should"]
        assert should[0]["multi_match"]["fields"][0] == "title^3"
        assert should[1]["multi_match"]["fuzziness"] == "AUTO"
        assert "title.lat^3" in should[1]["multi_match"]["fields"]

    def test_relevance_multiplies_text_score_freshness_quality_and_the_promotion_boost(self):
        body = dsl.search_body(ListingQuery(q="cobalt", sort="relevance"), promotion_boost=2.5)
        score = body["query"]["function_score"]
        assert score["score_mode"] == "multiply" and score["boost_mode"] == "multiply"
        assert score["functions"][0]["exp"]["refreshed_at"]["origin"] == "now"
        assert score["functions"][1]["field_value_factor"]["field"] == "quality_score"
        # Only while the paid window runs: the filter is evaluated at query time, never stale.
        assert score["functions"][2] == {"filter": {"range": {"promoted_until": {"gt": "now"}}}, "weight": 2.5}
        assert len(score["functions"]) == 3
        assert body["sort"][0] == "_score"

    def test_freshness_halves_over_the_configured_days(self):
        body = dsl.search_body(ListingQuery(sort="relevance"), freshness_days=7)
        decay = body["query"]["function_score"]["functions"][0]["exp"]["refreshed_at"]
        assert decay == {"origin": "now", "scale": "7d", "decay": 0.5}

    @pytest.mark.parametrize(
        ("sort", "first"),
        [
            ("newest", {"refreshed_at": {"order": "desc"}}),
            ("price_asc", {"price_uzs": {"order": "asc", "missing": "_last"}}),
            ("price_desc", {"price_uzs": {"order": "desc", "missing": "_last"}}),
        ],
    )
    def test_exact_sorts_end_with_the_id_for_stable_pages(self, sort, first):
        body = dsl.search_body(ListingQuery(sort=sort), offset=80, limit=40)
        assert body["sort"][0] == first and "id" in body["sort"][-1]
        assert (body["from"], body["size"]) == (80, 40)
        assert "function_score" not in body["query"]

    def test_filter_ids_asks_for_just_those_ids_under_every_filter_and_the_text(self):
        query = ListingQuery(
            q="cobalt",
            category_id=12,
            category_is_leaf=True,
            options=(OptionFilter("attrs.make", (41,)),),
            price_max_uzs=100,
        )
        body = dsl.filter_ids_body(query, [5, 9])
        filters = body["query"]["bool"]["filter"]
        assert {"ids": {"values": ["5", "9"]}} in filters
        assert {"terms": {"facet_values": [41]}} in filters  # not a post_filter: the ids must match it
        assert {"range": {"price_uzs": {"lte": 100}}} in filters
        assert {"term": {"category_id": 12}} in filters
        assert body["query"]["bool"]["must"] == [dsl.text_query("cobalt")]
        assert body["size"] == 2 and "post_filter" not in body

    def test_a_radius_is_a_geo_distance_filter_on_the_listings_point(self):
        body = dsl.search_body(ListingQuery(near=(41.31, 69.28), radius_km=25))
        assert {"geo_distance": {"distance": "25km", "location": {"lat": 41.31, "lon": 69.28}}} in filters_of(body)
        assert not any("geo_distance" in f for f in filters_of(dsl.search_body(ListingQuery(near=(41.31, 69.28)))))

    def test_nearest_first_sorts_by_geo_distance_then_id(self):
        body = dsl.search_body(ListingQuery(near=(41.31, 69.28), sort="distance"), limit=40)
        distance, tie = body["sort"]
        assert distance["_geo_distance"]["location"] == {"lat": 41.31, "lon": 69.28}
        assert distance["_geo_distance"]["order"] == "asc" and tie == {"id": {"order": "asc"}}
        assert "function_score" not in body["query"]


class TestResponses:
    def test_a_summary_is_read_from_the_aggregations(self):
        response = {
            "hits": {"total": {"value": 42, "relation": "eq"}, "hits": []},
            "aggregations": {
                "all": {"doc_count": 42, "values": {"buckets": [{"key": 41, "doc_count": 30}]}},
                "group:attrs.make": {"doc_count": 50, "values": {"buckets": [{"key": 42, "doc_count": 20}]}},
                "group:price": {"price": {"buckets": [{"key": "3", "doc_count": 5}, {"key": "4", "doc_count": 0}]}},
            },
        }
        summary = dsl.parse_summary(response)
        assert summary.total == 42
        assert summary.facets.values == {41: 30}
        assert summary.facets.by_group == {"attrs.make": {42: 20}}
        assert summary.facets.price == {3: 5}

    def test_ids_come_in_order(self):
        assert dsl.parse_ids({"hits": {"hits": [{"_id": "9"}, {"_id": "3"}]}}) == [9, 3]


class TestVersions:
    def test_the_alias_moves_in_one_request(self):
        assert dsl.alias_actions("listings", ["listings_v2", "listings_v1"], "listings_v3") == {
            "actions": [
                {"remove": {"index": "listings_v1", "alias": "listings"}},
                {"remove": {"index": "listings_v2", "alias": "listings"}},
                {"add": {"index": "listings_v3", "alias": "listings"}},
            ]
        }

    def test_the_next_version_follows_the_highest(self):
        assert dsl.next_version("listings", []) == 1
        assert dsl.next_version("listings", ["listings_v2", "listings_v10", "other_v99"]) == 11


class FakeOpenSearch(Connection):
    """An OpenSearch server at the HTTP boundary: records requests, answers what a rebuild needs."""

    requests: list[tuple[str, str, object]] = []

    def perform_request(self, method, url, params=None, body=None, timeout=None, ignore=(), headers=None):
        text = body.decode() if isinstance(body, bytes) else body
        payload = None
        if text:
            lines = [json.loads(line) for line in text.strip().split("\n")]
            payload = lines if url.endswith("/_bulk") else lines[0]
        FakeOpenSearch.requests.append((method, url, payload))
        if url.endswith("/_bulk"):
            ops = [line for line in payload if set(line) & {"index", "delete"}]
            items = [{next(iter(op)): {"_id": op[next(iter(op))]["_id"], "status": 200}} for op in ops]
            answer = {"took": 1, "errors": False, "items": items}
        elif method == "GET" and url.startswith("/listings_v") or method == "GET" and url == "/_alias/listings":
            answer = {"listings_v1": {"aliases": {"listings": {}}}}
        else:
            answer = {"acknowledged": True}
        return 200, {"content-type": "application/json"}, json.dumps(answer)


@pytest.mark.django_db
def test_a_rebuild_fills_a_new_version_then_switches_the_alias(settings):
    from classifieds.listings.models import Listing
    from classifieds.listings.tests.factories import ListingFactory
    from classifieds.search.backends.opensearch import OpenSearchBackend

    active = ListingFactory(title="Chevrolet Cobalt")
    ListingFactory(title="Sold Spark", status=Listing.Status.SOLD)
    FakeOpenSearch.requests = []
    backend = OpenSearchBackend(
        "os", {"URL": "http://search.invalid:9200", "OPTIONS": {"CLIENT": {"connection_class": FakeOpenSearch}}}
    )
    backend.rebuild()

    calls = [(method, url) for method, url, _ in FakeOpenSearch.requests]
    assert ("PUT", "/listings_v2") in calls
    create = next(body for method, url, body in FakeOpenSearch.requests if (method, url) == ("PUT", "/listings_v2"))
    assert create["mappings"]["properties"]["attrs"]["type"] == "nested"
    bulk = next(body for method, url, body in FakeOpenSearch.requests if url.endswith("/_bulk"))
    indexed = [line["index"]["_id"] for line in bulk if "index" in line]
    assert indexed == [str(active.pk)]
    assert bulk[1]["title"] == "Chevrolet Cobalt" and bulk[0]["index"]["_index"] == "listings_v2"
    aliases = next(body for method, url, body in FakeOpenSearch.requests if url == "/_aliases")
    assert aliases == {
        "actions": [
            {"remove": {"index": "listings_v1", "alias": "listings"}},
            {"add": {"index": "listings_v2", "alias": "listings"}},
        ]
    }
    # the alias moves before the old version is deleted
    assert calls.index(("POST", "/_aliases")) < calls.index(("DELETE", "/listings_v1"))


def test_boolean_attribute_filters_use_their_facet_value():
    body = dsl.search_body(ListingQuery(options=(OptionFilter("attrs.ac", (BOOLEAN + 9,)),)))
    assert body["post_filter"]["bool"]["filter"] == [{"terms": {"facet_values": [BOOLEAN + 9]}}]
