from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "waymark.patients"
    label = "patients"
