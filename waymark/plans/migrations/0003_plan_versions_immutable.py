"""Saved versions of a plan (relapse prevention and safety) are immutable in the database
itself: UPDATE is refused on SQLite and PostgreSQL alike. A change is a new version.
DELETE stays possible, so that erasing a patient (by cascade) still works.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

TABLES = {"plan_version": "plans_planversion", "safety_plan_version": "plans_safetyplanversion"}
MESSAGE = "saved plan versions are immutable: UPDATE refused"

SQLITE_UP = [
    f"""CREATE TRIGGER {name}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
    for name, table in TABLES.items()
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {name}_no_update;" for name in TABLES]

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION plan_version_refuse_update() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    *(
        f"""CREATE TRIGGER {name}_no_update BEFORE UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION plan_version_refuse_update();"""
        for name, table in TABLES.items()
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {name}_no_update ON {table};" for name, table in TABLES.items()),
    "DROP FUNCTION IF EXISTS plan_version_refuse_update();",
]


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_safety_plan_versions")]

    operations = [
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
