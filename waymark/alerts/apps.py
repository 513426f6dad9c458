from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "waymark.alerts"
    label = "alerts"

    def ready(self) -> None:
        from waymark.alerts import timeline  # noqa: F401 - registers the timeline provider
