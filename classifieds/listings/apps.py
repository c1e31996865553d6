from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ListingsConfig(AppConfig):
    name = "classifieds.listings"
    label = "listings"
    verbose_name = pgettext_lazy("admin app", "Listings")
