from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "waymark.medications"
    label = "medications"
