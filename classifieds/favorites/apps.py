from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class FavoritesConfig(AppConfig):
    name = "classifieds.favorites"
    label = "favorites"
    verbose_name = pgettext_lazy("admin app", "Favorites")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .receivers import merge_session_favorites

        user_logged_in.connect(merge_session_favorites, dispatch_uid="favorites.merge_session_favorites")

        from classifieds.audit.services import outbox_consumer_register
        from classifieds.listings.notices import LISTING_PRICE_DROPPED

        from .tasks import notify_price_drop_task

        outbox_consumer_register(LISTING_PRICE_DROPPED, notify_price_drop_task)
