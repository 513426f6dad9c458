from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "waymark.audit"
    label = "audit"

    def ready(self) -> None:
        from waymark.audit import checks  # noqa: F401 - registers the system check
