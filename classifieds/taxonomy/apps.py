from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TaxonomyConfig(AppConfig):
    name = "classifieds.taxonomy"
    label = "taxonomy"
    verbose_name = pgettext_lazy("admin app", "Catalog")

    def ready(self) -> None:
        from django.core import signals

        from . import snapshot

        # One catalog fingerprint check per request (see snapshot.taxonomy_snapshot).
        signals.request_started.connect(snapshot.request_started, dispatch_uid="taxonomy-snapshot-start")
        signals.request_finished.connect(snapshot.request_finished, dispatch_uid="taxonomy-snapshot-finish")
