from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "classifieds.core"
    label = "core"
