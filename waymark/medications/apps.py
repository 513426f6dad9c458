from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "waymark.medications"
    label = "medications"
    verbose_name = "Medications"

    def ready(self) -> None:
        from waymark.medications import timeline  # noqa: F401 - registers the timeline provider
