from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "waymark.notes"
    label = "notes"
    verbose_name = "Clinical notes"

    def ready(self) -> None:
        from waymark.notes import timeline  # noqa: F401 - registers the timeline provider
