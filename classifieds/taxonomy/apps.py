from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "classifieds.taxonomy"
    label = "taxonomy"
