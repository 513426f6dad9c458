from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "waymark.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Registers the password-reset e-mail with accounts.hooks (issue 12).
        from waymark.notifications import services  # noqa: F401
