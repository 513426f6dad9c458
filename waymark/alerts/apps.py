from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "waymark.alerts"
    label = "alerts"
