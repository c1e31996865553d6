from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "classifieds.media"
    label = "media"
    verbose_name = "Media"
