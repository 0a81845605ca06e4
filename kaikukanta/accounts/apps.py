from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaikukanta.accounts"
    label = "accounts"
