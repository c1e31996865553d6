from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MediaConfig(AppConfig):
    name = "classifieds.media"
    label = "media"
    verbose_name = pgettext_lazy("admin app", "Media")
