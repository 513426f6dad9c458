from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "waymark.checkins"
    label = "checkins"

    def ready(self) -> None:
        from waymark.checkins import timeline  # noqa: F401 - registers the timeline provider
