from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def load_definitions_after_migrate(
    sender: AppConfig, using: str = "default", **kwargs: Any
) -> None:
    """Keep the database in step with `definitions/*.json` after every migrate."""
    from waymark.questionnaires.loader import load_builtin_definitions
    from waymark.questionnaires.models import Questionnaire

    if Questionnaire._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards past the table
    load_builtin_definitions()


class QuestionnairesConfig(AppConfig):
    name = "waymark.questionnaires"
    label = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from waymark.questionnaires import timeline  # noqa: F401 - registers the provider

        post_migrate.connect(
            load_definitions_after_migrate, sender=self, dispatch_uid="questionnaires.load"
        )
