from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Issue 18: outcomes a program can stand behind, computed in the database."""

    name = "waymark.outcomes"
    label = "outcomes"
