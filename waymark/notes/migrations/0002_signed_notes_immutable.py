"""Signed notes and addenda are immutable in the database itself.

On SQLite and PostgreSQL alike, whoever runs it (the application, a shell, a
QuerySet.update()): UPDATE or DELETE of a signed note is refused, and UPDATE or
DELETE of any addendum. A draft stays editable (that is what signing changes). A
correction is an addendum, a new row. Dropping these triggers needs a migration,
which is reviewed.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

NOTES = "notes_clinicalnote"
ADDENDA = "notes_noteaddendum"

SQLITE_UP = [
    f"""CREATE TRIGGER note_signed_no_update BEFORE UPDATE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: UPDATE refused'); END;""",
    f"""CREATE TRIGGER note_signed_no_delete BEFORE DELETE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: DELETE refused'); END;""",
    f"""CREATE TRIGGER note_addendum_no_update BEFORE UPDATE ON {ADDENDA}
        BEGIN SELECT RAISE(ABORT, 'note addenda are immutable: UPDATE refused'); END;""",
    f"""CREATE TRIGGER note_addendum_no_delete BEFORE DELETE ON {ADDENDA}
        BEGIN SELECT RAISE(ABORT, 'note addenda are immutable: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS note_signed_no_update;",
    "DROP TRIGGER IF EXISTS note_signed_no_delete;",
    "DROP TRIGGER IF EXISTS note_addendum_no_update;",
    "DROP TRIGGER IF EXISTS note_addendum_no_delete;",
]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION note_refuse_change() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION '% is immutable once signed: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER note_signed_no_change BEFORE UPDATE OR DELETE ON {NOTES}
        FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION note_refuse_change();""",
    f"""CREATE TRIGGER note_addendum_no_change BEFORE UPDATE OR DELETE ON {ADDENDA}
        FOR EACH ROW EXECUTE FUNCTION note_refuse_change();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS note_addendum_no_change ON {ADDENDA};",
    f"DROP TRIGGER IF EXISTS note_signed_no_change ON {NOTES};",
    "DROP FUNCTION IF EXISTS note_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
