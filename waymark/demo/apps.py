from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "waymark.demo"
    label = "demo"
