"""``manage.py search_reindex``: rebuild everything a search backend keeps, with a progress bar."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from classifieds.search.backends import SearchBackend, get_search_backend

BACKENDS = {
    "postgres": "classifieds.search.backends.postgres.PostgresBackend",
    "opensearch": "classifieds.search.backends.opensearch.OpenSearchBackend",
}


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the listings table. PostgreSQL: recompute the denormalized search "
        "columns, vocabulary and precomputed counts. OpenSearch: build a new listings_v<N> index and "
        "switch the alias to it atomically."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            choices=sorted(BACKENDS),
            help="which backend to rebuild (default: the configured one)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        """Rebuild and say how long it took."""
        backend = self._backend(options["backend"])
        started = time.monotonic()
        backend.rebuild(progress=not options["no_progress"] and sys.stderr.isatty())
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {type(backend).__name__} in {time.monotonic() - started:.1f}s."))

    def _backend(self, name: str | None) -> SearchBackend:
        if name is None:
            return get_search_backend()
        config: dict = {"BACKEND": BACKENDS[name]}
        if name == "opensearch":
            if not settings.OPENSEARCH_URL:
                raise CommandError("OPENSEARCH_URL is not set.")
            config["URL"] = settings.OPENSEARCH_URL
        return import_string(config["BACKEND"])(name, config)
