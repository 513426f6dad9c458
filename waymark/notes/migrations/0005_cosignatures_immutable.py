"""A co-signature is written once and never changed; signed notes stay immutable.

Co-signatures (`notes_notecosignature`) get the addenda's rules: UPDATE refused always,
DELETE refused unless the patient's record is being erased (migration 0003).

On SQLite, migration 0004 rebuilt `notes_clinicalnote` to add its constraints, and a
rebuilt table loses its triggers: they are created again here exactly as 0002 and 0003
left them. (PostgreSQL alters the table in place and keeps them.)
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

NOTES = "notes_clinicalnote"
COSIGNATURES = "notes_notecosignature"
BEING_ERASED = """EXISTS (SELECT 1 FROM rights_accountclosure AS closure
                   WHERE closure.patient_id = OLD.patient_id AND closure.erased_at IS NOT NULL)"""

SQLITE_NOTE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS note_signed_no_update;",
    "DROP TRIGGER IF EXISTS note_signed_no_delete;",
    f"""CREATE TRIGGER note_signed_no_update BEFORE UPDATE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: UPDATE refused'); END;""",
    f"""CREATE TRIGGER note_signed_no_delete BEFORE DELETE ON {NOTES}
        FOR EACH ROW WHEN OLD.signed_at IS NOT NULL AND NOT {BEING_ERASED}
        BEGIN SELECT RAISE(ABORT, 'signed clinical notes are immutable: DELETE refused'); END;""",
]
SQLITE_UP = [
    *SQLITE_NOTE_TRIGGERS,
    f"""CREATE TRIGGER note_cosignature_no_update BEFORE UPDATE ON {COSIGNATURES}
        BEGIN SELECT RAISE(ABORT, 'note co-signatures are immutable: UPDATE refused'); END;""",
    f"""CREATE TRIGGER note_cosignature_no_delete BEFORE DELETE ON {COSIGNATURES}
        FOR EACH ROW WHEN NOT {BEING_ERASED}
        BEGIN SELECT RAISE(ABORT, 'note co-signatures are immutable: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS note_cosignature_no_update;",
    "DROP TRIGGER IF EXISTS note_cosignature_no_delete;",
]

# note_refuse_change() (0003) already refuses UPDATE and allows DELETE only on erasure.
POSTGRES_UP = [
    f"""CREATE TRIGGER note_cosignature_no_change BEFORE UPDATE OR DELETE ON {COSIGNATURES}
        FOR EACH ROW EXECUTE FUNCTION note_refuse_change();""",
]
POSTGRES_DOWN = [f"DROP TRIGGER IF EXISTS note_cosignature_no_change ON {COSIGNATURES};"]


class Migration(migrations.Migration):
    dependencies = [("notes", "0004_session_service_alert_cosign")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
