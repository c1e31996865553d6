from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "classifieds.listings"
    label = "listings"
