from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "classifieds.accounts"
    label = "accounts"
    verbose_name = pgettext_lazy("admin app", "Accounts")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
