from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "waymark.appointments"
    label = "appointments"
    verbose_name = "Appointments and groups"

    def ready(self) -> None:
        # The timeline provider, and the reminder job the scheduler runs once a minute.
        from waymark.appointments import jobs, timeline  # noqa: F401
