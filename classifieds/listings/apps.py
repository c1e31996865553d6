from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ListingsConfig(AppConfig):
    name = "classifieds.listings"
    label = "listings"
    verbose_name = pgettext_lazy("admin app", "Listings")

    def ready(self) -> None:
        from classifieds.accounts.services import account_deletion_step_register

        from .services import listings_withdraw_for_deleted_owner

        account_deletion_step_register(listings_withdraw_for_deleted_owner)
