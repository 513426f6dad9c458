# Issue 13, point 3: the index of the caseload's keyset order (waymark/patients/keyset.py).

from django.db import migrations, models

COLUMNS = '"organization_id", "urgent_unacked" DESC, "sort_level" DESC, "last_activity_at" DESC{nulls}, "patient_id"'


def create_index(apps, schema_editor):
    # SQLite cannot say NULLS LAST in an index, and needs not: its DESC puts nulls last
    # already. PostgreSQL's DESC puts them first, so it must say so to match the order.
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX "patientrisk_caseload_keyset" ON "risk_patientrisk" ({COLUMNS.format(nulls=nulls)})'
    )


def drop_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX "patientrisk_caseload_keyset"')


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0003_organization_care_team_contact'),
        ('patients', '0004_care_team_clinicians_only'),
        ('risk', '0004_watch_window_label'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='patientrisk',
            name='patientrisk_caseload_order',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name='patientrisk',
                    index=models.Index(models.F('organization'), models.OrderBy(models.F('urgent_unacked'), descending=True), models.OrderBy(models.F('sort_level'), descending=True), models.OrderBy(models.F('last_activity_at'), descending=True, nulls_last=True), models.F('patient'), name='patientrisk_caseload_keyset'),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
