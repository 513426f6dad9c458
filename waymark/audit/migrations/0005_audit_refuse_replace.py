"""Refuse rewriting an audit row by inserting over it (issue 12, point 4).

On SQLite, `REPLACE INTO` / `INSERT OR REPLACE` deletes the old row and inserts a new
one with the same id, and the DELETE trigger of migration 0002 does not fire for it
(SQLite runs DELETE triggers on REPLACE only when `recursive_triggers` is on). This
trigger refuses any INSERT whose id is already taken, before conflict handling runs:
REPLACE, INSERT OR REPLACE, upserts (`ON CONFLICT DO UPDATE`) and INSERT OR IGNORE alike.
New rows (no id, or a new one) are inserted as before.

PostgreSQL has no REPLACE; its upsert runs the row's BEFORE UPDATE trigger (0002), which
refuses it. What PostgreSQL also needs is a role that does not own the table, so the app
cannot disable the triggers: see `manage.py audit_db_role` and the README.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

TABLE = "audit_auditevent"

SQLITE_UP = [
    f"""CREATE TRIGGER audit_no_replace BEFORE INSERT ON {TABLE}
        WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only: REPLACE refused'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_no_replace;"]


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_client_request_id_and_objects")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": []},
            down={"sqlite": SQLITE_DOWN, "postgresql": []},
        ),
    ]
