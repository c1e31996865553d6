"""How the PostgreSQL backend bounds its work on large result sets (tested with a tiny bound)."""

from __future__ import annotations

import pytest

from classifieds.search.backends.postgres import PostgresBackend
from classifieds.search.query import ListingQuery, OptionFilter

from .contract import build_corpus

pytestmark = pytest.mark.django_db


def backend(sample: int) -> PostgresBackend:
    return PostgresBackend("scale", {"BACKEND": "", "OPTIONS": {"FACET_SAMPLE": sample, "SUMMARY_CACHE_TTL": 0}})


@pytest.fixture
def corpus():
    corpus = build_corpus()
    backend(10_000).rebuild()
    return corpus


def at(corpus, category: str, **kwargs) -> ListingQuery:
    cat = corpus.categories[category]
    return ListingQuery(category_id=cat.pk, category_is_leaf=cat.is_leaf, **kwargs)


def test_large_unfiltered_pages_read_precomputed_counts_equal_to_live_ones(corpus):
    small, exact = backend(2), backend(10_000)
    small.refresh_counts()
    query = at(corpus, "transport")
    precomputed, live = small.compute_summary(query), exact.compute_summary(query)
    assert precomputed.source == "precomputed" and live.source == "live"
    assert precomputed.total == live.total == 6
    assert precomputed.facets.values == live.facets.values
    assert precomputed.facets.price == live.facets.price


def test_precomputed_counts_cover_regions(corpus):
    small, exact = backend(2), backend(10_000)
    small.refresh_counts()
    tashkent = corpus.locations["tashkent"]
    query = at(corpus, "transport", location_id=tashkent.pk, location_is_region=True)
    assert small.compute_summary(query).source == "precomputed"
    assert small.compute_summary(query).facets.values == exact.compute_summary(query).facets.values


def test_small_pages_are_counted_live_even_with_precomputed_counts(corpus):
    small = backend(10)
    small.refresh_counts()
    assert small.compute_summary(at(corpus, "transport")).source == "live"


def test_a_result_set_beyond_the_bound_is_sampled_and_said_to_be_approximate(corpus):
    chevrolet = corpus.option("make", "chevrolet")
    query = at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet,)),))
    summary = backend(2).compute_summary(query)
    assert summary.approximate and summary.facets.approximate
    assert summary.source == "sample"
    assert summary.total >= 3
    # rows are never approximate
    assert len(backend(2).ids(query, offset=0, limit=100)) == 3
    exact = backend(10_000).compute_summary(query)
    assert not exact.approximate and exact.total == 3
