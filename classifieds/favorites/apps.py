from django.apps import AppConfig


class FavoritesConfig(AppConfig):
    name = "classifieds.favorites"
    label = "favorites"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .receivers import merge_session_favorites

        user_logged_in.connect(merge_session_favorites, dispatch_uid="favorites.merge_session_favorites")
