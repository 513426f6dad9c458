"""A filed group note and its lines in each attendee's record are immutable in the database.

As signed clinical notes are (notes/migrations 0002, 0003): on SQLite and PostgreSQL,
whoever runs it, UPDATE or DELETE of a group note or one of its lines is refused. The one
exception is the erasure of a patient's record after its retention period (issue 12
point 9): that patient's lines may then be deleted, when `rights_accountclosure` says so.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

NOTES = "appointments_groupnote"
LINES = "appointments_groupnoteline"
BEING_ERASED = """EXISTS (SELECT 1 FROM rights_accountclosure AS closure
                   WHERE closure.patient_id = OLD.patient_id AND closure.erased_at IS NOT NULL)"""

SQLITE_UP = [
    f"""CREATE TRIGGER group_note_no_update BEFORE UPDATE ON {NOTES}
        BEGIN SELECT RAISE(ABORT, 'group notes are immutable once filed: UPDATE refused'); END;""",
    f"""CREATE TRIGGER group_note_no_delete BEFORE DELETE ON {NOTES}
        BEGIN SELECT RAISE(ABORT, 'group notes are immutable once filed: DELETE refused'); END;""",
    f"""CREATE TRIGGER group_note_line_no_update BEFORE UPDATE ON {LINES}
        BEGIN SELECT RAISE(ABORT, 'group note lines are immutable: UPDATE refused'); END;""",
    f"""CREATE TRIGGER group_note_line_no_delete BEFORE DELETE ON {LINES}
        FOR EACH ROW WHEN NOT {BEING_ERASED}
        BEGIN SELECT RAISE(ABORT, 'group note lines are immutable: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS group_note_no_update;",
    "DROP TRIGGER IF EXISTS group_note_no_delete;",
    "DROP TRIGGER IF EXISTS group_note_line_no_update;",
    "DROP TRIGGER IF EXISTS group_note_line_no_delete;",
]

# PostgreSQL's trigger WHEN may not hold a subquery, so the function decides.
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION group_note_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '{LINES}' THEN
           IF {BEING_ERASED} THEN
             RETURN OLD;
           END IF;
         END IF;
         RAISE EXCEPTION '% is immutable once filed: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER group_note_no_change BEFORE UPDATE OR DELETE ON {NOTES}
        FOR EACH ROW EXECUTE FUNCTION group_note_refuse_change();""",
    f"""CREATE TRIGGER group_note_line_no_change BEFORE UPDATE OR DELETE ON {LINES}
        FOR EACH ROW EXECUTE FUNCTION group_note_refuse_change();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS group_note_line_no_change ON {LINES};",
    f"DROP TRIGGER IF EXISTS group_note_no_change ON {NOTES};",
    "DROP FUNCTION IF EXISTS group_note_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_appointments_and_groups"),
        ("rights", "0001_rights_account_closure"),
    ]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
