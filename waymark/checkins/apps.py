from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "waymark.checkins"
    label = "checkins"
