"""Only an active clinician of the patient's organization can be on their care team.

The care team receives the patient's clinical alerts (including self-harm alerts), so the
database itself refuses a care-team row for anyone else: a supporter, a patient, an admin
without a clinician role, someone of another organization or whose membership has ended.
Rows that break the rule already (from before it) are removed first.
"""

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

TEAM = "patients_careteammember"
CLINICIAN_OF_ORGANIZATION = """EXISTS (
    SELECT 1 FROM organizations_membership m
    WHERE m.organization_id = NEW.organization_id AND m.user_id = NEW.clinician_id
      AND m.role = 'clinician' AND m.is_active
)"""
MESSAGE = "care team members must be active clinicians of the same organization"

SQLITE_UP = [
    f"""CREATE TRIGGER careteam_clinicians_only_insert BEFORE INSERT ON {TEAM}
        FOR EACH ROW WHEN NOT {CLINICIAN_OF_ORGANIZATION}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER careteam_clinicians_only_update BEFORE UPDATE ON {TEAM}
        FOR EACH ROW WHEN NOT {CLINICIAN_OF_ORGANIZATION}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS careteam_clinicians_only_insert;",
    "DROP TRIGGER IF EXISTS careteam_clinicians_only_update;",
]
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION careteam_clinicians_only() RETURNS trigger AS $$
       BEGIN
         IF NOT {CLINICIAN_OF_ORGANIZATION} THEN
           RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER careteam_clinicians_only BEFORE INSERT OR UPDATE ON {TEAM}
        FOR EACH ROW EXECUTE FUNCTION careteam_clinicians_only();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS careteam_clinicians_only ON {TEAM};",
    "DROP FUNCTION IF EXISTS careteam_clinicians_only();",
]


def remove_non_clinicians(apps, schema_editor):
    CareTeamMember = apps.get_model("patients", "CareTeamMember")
    Membership = apps.get_model("organizations", "Membership")
    clinicians = set(
        Membership.objects.filter(role="clinician", is_active=True).values_list(
            "organization_id", "user_id"
        )
    )
    for member in CareTeamMember.objects.all():
        if (member.organization_id, member.clinician_id) not in clinicians:
            member.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_goals_and_follow_up"),
        ("organizations", "0002_urgent_ack_minutes"),
    ]

    operations = [
        migrations.RunPython(remove_non_clinicians, migrations.RunPython.noop),
        run_sql_per_vendor(
            up={"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP},
            down={"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN},
        ),
    ]
