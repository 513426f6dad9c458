"""Signed notes and addenda may be deleted in one case only: the patient's record is being
erased after its retention period (issue 12 point 9).

The erasure service first marks the patient's `rights_accountclosure` row erased, then
deletes, in the same transaction; the triggers let a DELETE through only when that row
says so. Nothing else changes: UPDATE of a signed note or an addendum is still refused,
and so is DELETE for any patient whose record is not being erased.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

NOTES = "notes_clinicalnote"
ADDENDA = "notes_noteaddendum"
BEING_ERASED = """EXISTS (SELECT 1 FROM rights_accountclosure AS closure
                   WHERE closure.patient_id = OLD.patient_id AND closure.erased_at IS NOT NULL)"""

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS note_signed_no_delete;",
    "DROP TRIGGER IF EXISTS note_addendum_no_delete;",
    f"""CREATE TRIGGER note_signed_no_delete BEFORE DELETE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL AND NOT {BEING_ERASED}
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: DELETE refused'); END;""",
    f"""CREATE TRIGGER note_addendum_no_delete BEFORE DELETE ON {ADDENDA}
        FOR EACH ROW WHEN NOT {BEING_ERASED}
        BEGIN SELECT RAISE(ABORT, 'note addenda are immutable: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS note_signed_no_delete;",
    "DROP TRIGGER IF EXISTS note_addendum_no_delete;",
    f"""CREATE TRIGGER note_signed_no_delete BEFORE DELETE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: DELETE refused'); END;""",
    f"""CREATE TRIGGER note_addendum_no_delete BEFORE DELETE ON {ADDENDA}
        BEGIN SELECT RAISE(ABORT, 'note addenda are immutable: DELETE refused'); END;""",
]

# PostgreSQL's trigger WHEN may not hold a subquery, so the function decides.
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION note_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND {BEING_ERASED} THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION '% is immutable once signed: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
]
POSTGRES_DOWN = [
    """CREATE OR REPLACE FUNCTION note_refuse_change() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION '% is immutable once signed: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
]


class Migration(migrations.Migration):
    dependencies = [("notes", "0002_signed_notes_immutable"), ("rights", "0001_rights_account_closure")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
