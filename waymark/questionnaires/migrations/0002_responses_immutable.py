"""Submitted questionnaire responses are immutable in the database itself.

UPDATE is refused on SQLite and PostgreSQL alike, whoever runs it. A correction is a
new row pointing at the old one (`corrects`). DELETE stays possible so that erasing a
patient (and everything of theirs, by cascade) still works.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

TABLE = "questionnaires_questionnaireresponse"

SQLITE_UP = [
    f"""CREATE TRIGGER questionnaire_response_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'questionnaire responses are immutable: UPDATE refused'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS questionnaire_response_no_update;"]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION questionnaire_response_refuse_update() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'questionnaire responses are immutable: UPDATE refused'
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER questionnaire_response_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION questionnaire_response_refuse_update();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS questionnaire_response_no_update ON {TABLE};",
    "DROP FUNCTION IF EXISTS questionnaire_response_refuse_update();",
]


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
