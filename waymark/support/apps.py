from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "waymark.support"
    label = "support"
    verbose_name = "Supporters and consent"

    def ready(self) -> None:
        # Registers the supporters as the patient's people to call (crisis help) and the
        # e-mails this app sends through the delivery queue.
        from waymark.support import crisis, emails  # noqa: F401
