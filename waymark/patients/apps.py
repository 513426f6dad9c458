from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "waymark.patients"
    label = "patients"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from waymark.patients import timeline_events  # noqa: F401 - registers the provider

        # Every app's panels.py registers its panels on the record and the home
        # (patients/panels.py) and, if it has some, its caseload rows (patients/hooks.py).
        autodiscover_modules("panels")
        # And the record header's key flags (patients/hooks.py, issue 16 point 2).
        autodiscover_modules("record_flags")
