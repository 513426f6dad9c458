from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "waymark.meetings"
    label = "meetings"
    verbose_name = "Mutual-help meetings"
