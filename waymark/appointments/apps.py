from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "waymark.appointments"
    label = "appointments"
    verbose_name = "Appointments and groups"

    def ready(self) -> None:
        # The timeline provider, and the reminder job the scheduler runs once a minute.
        # Sessions attended on the outcomes dashboard (issue 18 point 5).
        from waymark.appointments import (  # noqa: F401
            engagement,
            jobs,
            timeline,
        )
