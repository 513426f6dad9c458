from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "waymark.questionnaires"
    label = "questionnaires"
