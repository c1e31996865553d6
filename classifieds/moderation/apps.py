from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "classifieds.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from classifieds.listings.screening import listing_screen_register

        from .services import listing_screen

        listing_screen_register(listing_screen)
