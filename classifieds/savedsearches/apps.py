from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavedSearchesConfig(AppConfig):
    name = "classifieds.savedsearches"
    label = "savedsearches"
    verbose_name = _("Saved searches")

    def ready(self) -> None:
        from classifieds.notifications.kinds import email_builder_register

        from .mail import digest_email_for_notice

        email_builder_register("savedsearch.digest", digest_email_for_notice)
