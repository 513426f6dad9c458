"""Issue 18 point 7: a change marker for the measures' roll-up, kept by the database.

`ResponseTally` counts, per patient and questionnaire, the responses added or deleted;
triggers on the responses table keep it on SQLite and PostgreSQL alike, whoever writes.
Existing responses are counted once here. The roll-up's rows were made from another marker
(a count of responses in reach), so they are emptied: the next report computes them all.
"""

import django.db.models.deletion
from django.db import migrations, models

from waymark.db_triggers import run_sql_per_vendor

RESPONSES = "questionnaires_questionnaireresponse"
TALLY = "outcomes_responsetally"
KEY = "organization_id, patient_id, questionnaire_key"

SQLITE_UP = [
    f"""CREATE TRIGGER outcomes_tally_response_added AFTER INSERT ON {RESPONSES}
        BEGIN
          INSERT INTO {TALLY} ({KEY}, changes)
          VALUES (NEW.organization_id, NEW.patient_id, NEW.questionnaire_key, 1)
          ON CONFLICT ({KEY}) DO UPDATE SET changes = changes + 1;
        END;""",
    f"""CREATE TRIGGER outcomes_tally_response_deleted AFTER DELETE ON {RESPONSES}
        BEGIN
          UPDATE {TALLY} SET changes = changes + 1
          WHERE organization_id = OLD.organization_id AND patient_id = OLD.patient_id
            AND questionnaire_key = OLD.questionnaire_key;
        END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS outcomes_tally_response_added;",
    "DROP TRIGGER IF EXISTS outcomes_tally_response_deleted;",
]

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION outcomes_tally_response_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           INSERT INTO {TALLY} ({KEY}, changes)
           VALUES (NEW.organization_id, NEW.patient_id, NEW.questionnaire_key, 1)
           ON CONFLICT ({KEY}) DO UPDATE SET changes = {TALLY}.changes + 1;
         ELSE
           UPDATE {TALLY} SET changes = changes + 1
           WHERE organization_id = OLD.organization_id AND patient_id = OLD.patient_id
             AND questionnaire_key = OLD.questionnaire_key;
         END IF;
         RETURN NULL;
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER outcomes_tally_response_change AFTER INSERT OR DELETE ON {RESPONSES}
        FOR EACH ROW EXECUTE FUNCTION outcomes_tally_response_change();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS outcomes_tally_response_change ON {RESPONSES};",
    "DROP FUNCTION IF EXISTS outcomes_tally_response_change();",
]

COUNT_EXISTING = (
    f"INSERT INTO {TALLY} ({KEY}, changes) SELECT {KEY}, COUNT(*) FROM {RESPONSES} "
    f"GROUP BY {KEY}"
)


class Migration(migrations.Migration):

    dependencies = [
        ("outcomes", "0001_initial"),
        ("questionnaires", "0005_response_index_covers_the_outcomes_list"),
    ]

    operations = [
        migrations.RemoveField(model_name="stayscores", name="responses"),
        # Both ways: each column is added to an empty table (neither has a default).
        migrations.RunSQL(
            "DELETE FROM outcomes_stayscores", "DELETE FROM outcomes_stayscores"
        ),
        migrations.AddField(
            model_name="stayscores",
            name="tally",
            field=models.PositiveBigIntegerField(
                default=0,
                help_text="The patient's ResponseTally.changes for the questionnaire it was made from.",
            ),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="ResponseTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("questionnaire_key", models.SlugField(max_length=60)),
                ("changes", models.PositiveBigIntegerField()),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organizations.organization")),
                ("patient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="patients.patient")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "patient", "questionnaire_key"),
                        name="response_tally_once",
                    )
                ],
            },
        ),
        migrations.RunSQL(COUNT_EXISTING, f"DELETE FROM {TALLY}"),
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
