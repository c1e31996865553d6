from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "classifieds.accounts"
    label = "accounts"
