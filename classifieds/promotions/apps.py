from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "classifieds.promotions"
    label = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        from classifieds.search.placement import placement_register

        from .placement import pinned_listing_ids, spotlight_cards

        placement_register(pinned=pinned_listing_ids, spotlight=spotlight_cards)
