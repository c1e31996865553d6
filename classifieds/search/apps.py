from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SearchConfig(AppConfig):
    name = "classifieds.search"
    label = "search"
    verbose_name = pgettext_lazy("admin app", "Search")

    def ready(self) -> None:
        from classifieds.audit.services import outbox_consumer_register
        from classifieds.core.readiness import readiness_check_register
        from classifieds.listings.services import LISTINGS_CHANGED, LISTINGS_REPRICED

        from .probes import ping_search
        from .services import search_enqueue_indexing, search_reprice

        outbox_consumer_register(LISTINGS_CHANGED, search_enqueue_indexing)
        outbox_consumer_register(LISTINGS_REPRICED, search_reprice)
        readiness_check_register("search", ping_search)
