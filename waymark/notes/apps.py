from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "waymark.notes"
    label = "notes"
