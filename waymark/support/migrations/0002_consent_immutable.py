"""Signed consents, their endings and the disclosures made under them are immutable in
the database itself (42 CFR Part 2: the consent and the accounting must be provable).

On SQLite and PostgreSQL alike, whoever runs it (the application, a shell, a
QuerySet.update()): UPDATE of any of these rows is refused, and DELETE too, except while
the patient's record is being erased after its retention period (the rights app marks
the closure erased first, as for signed notes). A change of consent is a new consent
that supersedes the old; a revocation is a new `ConsentEnding` row.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

TABLES = ("support_consent", "support_consentending", "support_disclosure")
BEING_ERASED = """EXISTS (SELECT 1 FROM rights_accountclosure AS closure
                   WHERE closure.patient_id = OLD.patient_id AND closure.erased_at IS NOT NULL)"""

SQLITE_UP = [
    statement
    for table in TABLES
    for statement in (
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is immutable once signed: UPDATE refused'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            FOR EACH ROW WHEN NOT {BEING_ERASED}
            BEGIN SELECT RAISE(ABORT, '{table} is immutable once signed: DELETE refused'); END;""",
    )
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {table}_{op};" for table in TABLES for op in ("no_update", "no_delete")
]

# PostgreSQL's trigger WHEN may not hold a subquery, so the function decides.
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION support_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND {BEING_ERASED} THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION '% is immutable once signed: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    *(
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION support_refuse_change();"""
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS support_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_supporters_and_consent"),
        ("rights", "0001_rights_account_closure"),
    ]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
