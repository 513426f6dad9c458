# Issue 16: the caseload sorted by last check-in, PHQ-9 or days in program, each a page at
# a time by keyset over its own index (waymark/patients/keyset.py).

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_program_since(apps, schema_editor):
    """Each risk row gets the start of its patient's open stay (kept by reassess from now on)."""
    PatientRisk = apps.get_model("risk", "PatientRisk")
    ProgramStay = apps.get_model("patients", "ProgramStay")
    open_stay = ProgramStay.objects.filter(
        patient=OuterRef("patient"), organization=OuterRef("organization"), ended_on__isnull=True
    ).order_by("-started_on")
    PatientRisk.objects.update(program_since=Subquery(open_stay.values("started_on")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0005_merge_issue_12_branches'),
        ('patients', '0004_care_team_clinicians_only'),
        ('risk', '0005_bench_caseload_keyset'),
    ]

    operations = [
        migrations.AddField(
            model_name='patientrisk',
            name='program_since',
            field=models.DateField(blank=True, help_text="Start of the open program stay (the caseload's days).", null=True),
        ),
        migrations.AddIndex(
            model_name='patientrisk',
            index=models.Index(models.F('organization'), models.OrderBy(models.F('last_checkin_on'), descending=True), models.F('patient'), name='patientrisk_by_checkin'),
        ),
        migrations.AddIndex(
            model_name='patientrisk',
            index=models.Index(models.F('organization'), models.OrderBy(models.F('phq9_score'), descending=True), models.F('patient'), name='patientrisk_by_phq9'),
        ),
        migrations.AddIndex(
            model_name='patientrisk',
            index=models.Index(fields=['organization', 'program_since', 'patient'], name='patientrisk_by_program'),
        ),
        migrations.RunPython(fill_program_since, migrations.RunPython.noop),
    ]
