from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "waymark.meetings"
    label = "meetings"
    verbose_name = "Mutual-help meetings"

    def ready(self) -> None:
        # Meetings attended on the outcomes dashboard (issue 18 point 5).
        from waymark.meetings import engagement  # noqa: F401
