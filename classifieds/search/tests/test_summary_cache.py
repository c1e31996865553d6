"""The summary cache (count + facets) never writes SQL on the read path, and a Redis outage costs no page."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classifieds.search.backends.base import SearchBackend
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

pytestmark = [pytest.mark.django_db]

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def corpus():
    corpus = build_corpus()
    search_process_events()
    return corpus


def closed_port_url() -> str:
    """A Redis URL nobody answers on: a port we bound and released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


class TestFirstHit:
    @pytest.fixture(autouse=True)
    def no_page_cache_but_for_the_first_hit(self, request, settings):
        if "first_hit" not in request.node.name:
            settings.PAGE_CACHE_TTL = 0  # the second visit would be a cached page: nothing asked of search

    def test_a_first_hit_of_a_search_runs_at_most_ten_statements_and_writes_none(self, client, corpus):
        client.get("/c/c-cars/")  # per-process catalog, synonyms and thumbnails are warm after a first page
        url = "/c/c-cars/?attrs.make=chevrolet&attrs.gearbox=manual&q=chevrolet"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        statements = [query["sql"] for query in captured.captured_queries]
        assert len(statements) <= 10, statements
        assert not [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]
        assert not [sql for sql in statements if "bozor_cache" in sql and not sql.startswith("SELECT")]

    def test_a_first_hit_of_a_word_with_too_many_matches_to_count_also_runs_at_most_ten(self, client, corpus, settings):
        """Beyond ``TEXT_SAMPLE`` matches the count is estimated (the planner's estimate of the largest part,
        corrected on a sample of pages): that costs two statements, not a transaction around a setting."""
        settings.SEARCH_BACKENDS = {
            "default": {
                "BACKEND": "classifieds.search.backends.postgres.PostgresBackend",
                "OPTIONS": {"TEXT_SAMPLE": 1, "FACET_SAMPLE": 1, "SUMMARY_CACHE_TTL": 0},
            }
        }
        client.get("/c/c-cars/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/search/?q=chevrolet")
        statements = [query["sql"] for query in captured.captured_queries]
        assert response.status_code == 200
        assert [sql for sql in statements if sql.startswith("EXPLAIN")], "the count must be the estimated one"
        assert "≈" in response.content.decode()
        assert len(statements) <= 10, statements

    def test_the_second_hit_reads_the_summary_from_the_cache(self, client, corpus):
        url = "/c/c-cars/?attrs.make=chevrolet&q=chevrolet"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        assert not [q for q in captured.captured_queries if "unnest(facet_values)" in q["sql"]]

    def test_indexing_makes_cached_summaries_stale_in_every_process(self, client, corpus):
        url = "/c/c-cars/?attrs.make=chevrolet"
        client.get(url)
        SearchBackend.invalidate_summaries()  # what the worker does after indexing, in another process
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        assert [q for q in captured.captured_queries if "unnest(facet_values)" in q["sql"]]


class TestRedisDown:
    @pytest.fixture
    def redis_down(self, settings):
        url = closed_port_url()
        redis_cache = {
            "BACKEND": "classifieds.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
        settings.CACHES = {**settings.CACHES, "default": redis_cache, "volatile": redis_cache, "stamps": redis_cache}
        yield url
        for alias in ("default", "volatile", "stamps"):
            caches[alias].close()

    @pytest.mark.parametrize("url", ["/", "/c/c-cars/", "/c/c-cars/?attrs.make=chevrolet", "/search/?q=cobalt"])
    def test_pages_still_answer(self, client, corpus, redis_down, url):
        response = client.get(url)
        assert response.status_code == 200
        assert "Chevrolet" in response.content.decode()

    def test_the_detail_page_still_answers(self, client, corpus, redis_down):
        listing = corpus.listings["cobalt19"]
        assert client.get(listing.get_absolute_url()).status_code == 200

    def test_reads_are_misses_and_counters_fail_closed(self, redis_down):
        from classifieds.core.cache import CacheUnavailable

        cache = caches["default"]
        cache.set("k", 1)
        assert cache.get("k", "missing") == "missing"
        assert cache.get_many(["k"]) == {}
        with pytest.raises(CacheUnavailable):
            cache.add("k", 1)
        with pytest.raises(CacheUnavailable):
            cache.incr("k")

    def test_a_rate_limit_refuses_with_a_clear_message(self, client, corpus, redis_down):
        listing = corpus.listings["cobalt19"]
        response = client.post(f"/l/{listing.pk}/phone/")
        assert response.status_code == 429
        html = response.content.decode()
        assert listing.contact_phone not in html
        assert "временно недоступ" in html
