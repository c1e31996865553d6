from django.apps import AppConfig


class SeoConfig(AppConfig):
    name = "classifieds.seo"
    label = "seo"
