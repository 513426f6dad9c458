from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "waymark.rights"
    label = "rights"
    verbose_name = "Patient data rights"
