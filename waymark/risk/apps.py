from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "waymark.risk"
    label = "risk"
