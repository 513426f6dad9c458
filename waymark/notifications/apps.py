from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "waymark.notifications"
    label = "notifications"
