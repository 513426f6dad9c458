from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "waymark.operations"
    label = "operations"
