"""The backend contract, run against each backend."""

from __future__ import annotations

import os
import uuid

import pytest

from classifieds.search.backends.postgres import PostgresBackend

from .contract import SearchBackendContract
from .contract_ranking import NearMeContract, RankingContract

pytestmark = pytest.mark.django_db


class TestPostgresContract(SearchBackendContract, RankingContract, NearMeContract):
    @pytest.fixture
    def backend(self):
        return PostgresBackend(
            "contract",
            {"BACKEND": "classifieds.search.backends.postgres.PostgresBackend", "OPTIONS": {"SUMMARY_CACHE_TTL": 0}},
        )


@pytest.mark.skipif(not os.environ.get("OPENSEARCH_URL"), reason="OPENSEARCH_URL is not set (no OpenSearch server)")
class TestOpenSearchContract(SearchBackendContract, RankingContract, NearMeContract):
    @pytest.fixture
    def backend(self):
        from classifieds.search.backends.opensearch import OpenSearchBackend

        alias = f"test_listings_{uuid.uuid4().hex[:8]}"
        backend = OpenSearchBackend(
            "contract",
            {
                "BACKEND": "classifieds.search.backends.opensearch.OpenSearchBackend",
                "URL": os.environ["OPENSEARCH_URL"],
                "OPTIONS": {"SUMMARY_CACHE_TTL": 0, "ALIAS": alias},
            },
        )
        yield backend
        backend.client.indices.delete(index=f"{alias}_v*", ignore=[404])
