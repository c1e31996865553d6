from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "classifieds.search"
    label = "search"
