from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waymark.accounts"
    label = "accounts"
