from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "waymark.patients"
    label = "patients"

    def ready(self) -> None:
        from waymark.patients import timeline_events  # noqa: F401 - registers the provider
