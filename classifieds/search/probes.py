"""The readiness check of search (registered in ``SearchConfig.ready``): is the configured backend reachable?"""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def ping_search() -> None:
    """Raise if the configured search backend cannot be reached."""
    config = settings.SEARCH_BACKENDS["default"]
    if config["BACKEND"].endswith("OpenSearchBackend"):
        from opensearchpy import OpenSearch

        client = OpenSearch(config["URL"], timeout=2, max_retries=0)
        if not client.ping():
            raise ConnectionError("OpenSearch did not answer")
    else:
        # The PostgreSQL backend lives in the database: it needs pg_trgm there.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cursor.fetchone() is None:
                raise LookupError("pg_trgm extension missing")
