from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MessagingConfig(AppConfig):
    name = "classifieds.messaging"
    label = "messaging"
    verbose_name = pgettext_lazy("admin app", "Messages")
