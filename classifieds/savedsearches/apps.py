from django.apps import AppConfig


class SavedSearchesConfig(AppConfig):
    name = "classifieds.savedsearches"
    label = "savedsearches"
