from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SearchConfig(AppConfig):
    name = "classifieds.search"
    label = "search"
    verbose_name = pgettext_lazy("admin app", "Search")
