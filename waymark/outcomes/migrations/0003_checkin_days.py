"""Issue 18 point 7: the days with a check-in, per patient and 32-day block, as bits.

`CheckInDays` is kept by triggers on the check-ins table, on SQLite and PostgreSQL alike,
whoever writes: a check-in added sets its day's bit (an upsert of its block's row), one
deleted clears it, one moved to another day, patient or organization does both. Editing a
check-in's answers touches no column the triggers watch, so it costs nothing. Existing
check-ins are rolled up once here (a sum of distinct powers of two is their OR: one
check-in per patient and day).

A day's number is `date.toordinal()`; its block is that // 32, its bit that % 32.
"""

import django.db.models.deletion
from django.db import migrations, models

from waymark.db_triggers import run_sql_per_vendor

CHECKINS = "checkins_checkin"
DAYS = "outcomes_checkindays"
KEY = "organization_id, patient_id, block"
SQLITE_DAY = "CAST(julianday({row}.local_date) - 1721424.5 AS INTEGER)"
WATCHED = ("organization_id", "patient_id", "local_date")


def sqlite_set(row: str) -> str:
    day = SQLITE_DAY.format(row=row)
    return (
        f"INSERT INTO {DAYS} ({KEY}, days) VALUES ({row}.organization_id, {row}.patient_id, "
        f"{day} / 32, 1 << ({day} % 32)) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET days = days | excluded.days;"
    )


def sqlite_clear(row: str) -> str:
    day = SQLITE_DAY.format(row=row)
    return (
        f"UPDATE {DAYS} SET days = days & ~(1 << ({day} % 32)) "
        f"WHERE organization_id = {row}.organization_id AND patient_id = {row}.patient_id "
        f"AND block = {day} / 32;"
    )


SQLITE_UP = [
    f"""CREATE TRIGGER outcomes_checkin_day_added AFTER INSERT ON {CHECKINS}
        BEGIN {sqlite_set("NEW")} END;""",
    f"""CREATE TRIGGER outcomes_checkin_day_deleted AFTER DELETE ON {CHECKINS}
        BEGIN {sqlite_clear("OLD")} END;""",
    f"""CREATE TRIGGER outcomes_checkin_day_moved
        AFTER UPDATE OF {", ".join(WATCHED)} ON {CHECKINS}
        WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)}
        BEGIN {sqlite_clear("OLD")} {sqlite_set("NEW")} END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS outcomes_checkin_day_added;",
    "DROP TRIGGER IF EXISTS outcomes_checkin_day_deleted;",
    "DROP TRIGGER IF EXISTS outcomes_checkin_day_moved;",
]

# BIGINT shifts: an integer 1 << 31 would overflow.
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION outcomes_checkin_days_change() RETURNS trigger AS $$
       DECLARE day integer;
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           day := OLD.local_date - DATE '0001-01-01' + 1;
           UPDATE {DAYS} SET days = days & ~(CAST(1 AS BIGINT) << (day % 32))
           WHERE organization_id = OLD.organization_id AND patient_id = OLD.patient_id
             AND block = day / 32;
         END IF;
         IF TG_OP <> 'DELETE' THEN
           day := NEW.local_date - DATE '0001-01-01' + 1;
           INSERT INTO {DAYS} ({KEY}, days)
           VALUES (NEW.organization_id, NEW.patient_id, day / 32, CAST(1 AS BIGINT) << (day % 32))
           ON CONFLICT ({KEY}) DO UPDATE SET days = {DAYS}.days | EXCLUDED.days;
         END IF;
         RETURN NULL;
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER outcomes_checkin_days_added_or_deleted AFTER INSERT OR DELETE
        ON {CHECKINS} FOR EACH ROW EXECUTE FUNCTION outcomes_checkin_days_change();""",
    f"""CREATE TRIGGER outcomes_checkin_days_moved AFTER UPDATE OF {", ".join(WATCHED)}
        ON {CHECKINS} FOR EACH ROW
        WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)})
        EXECUTE FUNCTION outcomes_checkin_days_change();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS outcomes_checkin_days_added_or_deleted ON {CHECKINS};",
    f"DROP TRIGGER IF EXISTS outcomes_checkin_days_moved ON {CHECKINS};",
    "DROP FUNCTION IF EXISTS outcomes_checkin_days_change();",
]


def roll_up_existing(day: str, one: str) -> str:
    return (
        f"INSERT INTO {DAYS} ({KEY}, days) SELECT organization_id, patient_id, day / 32, "
        f"CAST(SUM({one} << (day % 32)) AS BIGINT) FROM (SELECT organization_id, patient_id, "
        f"{day} AS day FROM {CHECKINS}) c GROUP BY organization_id, patient_id, day / 32"
    )


SQLITE_ROLL_UP = roll_up_existing(SQLITE_DAY.format(row=CHECKINS), "1")
# No check-in may be written between the roll-up's read and the triggers' creation (the app
# may still be serving while this runs): one written then would be in neither. The lock
# lets reads go on and holds writers until the migration commits. SQLite's migration holds
# the write lock throughout already.
POSTGRES_ROLL_UP = [
    f"LOCK TABLE {CHECKINS} IN SHARE ROW EXCLUSIVE MODE",
    roll_up_existing("local_date - DATE '0001-01-01' + 1", "CAST(1 AS BIGINT)"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("checkins", "0005_checkins_with_meetings_index"),
        ("organizations", "0007_merge_issue_15_branches"),
        ("outcomes", "0002_response_tally"),
        ("patients", "0006_merge_issue_16_branches"),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckInDays",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("block", models.IntegerField(help_text="Day number // 32.")),
                ("days", models.BigIntegerField(help_text="Bit i: a check-in on day number 32 · block + i.")),
                ("organization", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organizations.organization")),
                ("patient", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="patients.patient")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "patient", "block"), name="checkin_days_once"
                    )
                ],
            },
        ),
        run_sql_per_vendor(
            up={"sqlite": [SQLITE_ROLL_UP, *SQLITE_UP], "postgresql": [*POSTGRES_ROLL_UP, *POSTGRES_UP]},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
