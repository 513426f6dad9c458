from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "waymark.plans"
    label = "plans"

    def ready(self) -> None:
        from waymark.plans import crisis  # noqa: F401 - registers the people to call
