from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "waymark.content"
    label = "content"
