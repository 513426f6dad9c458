"""Each response keeps the alert occurrence its safety answer belongs to.

A safety answer is acted on when its page of the draft is saved; the response sent from
that draft carries the same occurrence key, so the care team is told once per answer.

On SQLite, adding a column with a default rebuilds the table, and the rebuild drops the
table's triggers: the immutability trigger of 0002 is created again afterwards (and again
after the column is removed, when migrating back). PostgreSQL keeps its trigger.
"""

import importlib

from django.db import migrations, models

from waymark.db_triggers import run_sql_per_vendor

immutable = importlib.import_module("waymark.questionnaires.migrations.0002_responses_immutable")
RECREATE = [*immutable.SQLITE_DOWN, *immutable.SQLITE_UP]


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0002_responses_immutable")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": [], "postgresql": []}, down={"sqlite": RECREATE, "postgresql": []}
        ),
        migrations.AddField(
            model_name="questionnaireresponse",
            name="safety_occurrence",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The alert occurrence its safety answer belongs to: the draft's, when "
                "the same answer was already acted on while filling in (see "
                "safety.draft_occurrence).",
                max_length=120,
            ),
        ),
        run_sql_per_vendor(
            up={"sqlite": RECREATE, "postgresql": []},
            down={"sqlite": immutable.SQLITE_DOWN, "postgresql": []},
        ),
    ]
