from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "waymark.messaging"
    label = "messaging"
    verbose_name = "Messages with the care team"
