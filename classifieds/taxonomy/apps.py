from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TaxonomyConfig(AppConfig):
    name = "classifieds.taxonomy"
    label = "taxonomy"
    verbose_name = pgettext_lazy("admin app", "Catalog")
