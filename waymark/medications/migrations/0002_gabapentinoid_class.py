"""A class for gabapentin and pregabalin, which depress breathing with opioids and other
depressants (FDA Drug Safety Communication, 19 Dec 2019). Rows recorded before, filed as
"other", move to the new class so the breathing-risk flag sees them."""

from django.db import migrations, models

CLASSES = [
    ("opioid_agonist", "Opioid agonist (e.g. methadone)"),
    ("buprenorphine", "Buprenorphine"),
    ("naltrexone", "Naltrexone"),
    ("benzodiazepine", "Benzodiazepine"),
    ("ghb", "GHB / sodium oxybate"),
    ("gabapentinoid", "Gabapentinoid (gabapentin, pregabalin)"),
    ("stimulant", "Stimulant"),
    ("alcohol_related", "Alcohol-related (e.g. disulfiram, acamprosate)"),
    ("antidepressant", "Antidepressant"),
    ("other", "Other"),
]
GABAPENTINOID_NAMES = ("gabapentin", "pregabalin", "neurontin", "lyrica")


def file_gabapentinoids(apps, schema_editor):
    Medication = apps.get_model("medications", "Medication")
    names = models.Q()
    for name in GABAPENTINOID_NAMES:
        names |= models.Q(name__istartswith=name)
    Medication.objects.filter(names, drug_class="other").update(drug_class="gabapentinoid")


def file_them_back(apps, schema_editor):
    Medication = apps.get_model("medications", "Medication")
    Medication.objects.filter(drug_class="gabapentinoid").update(drug_class="other")


class Migration(migrations.Migration):
    dependencies = [("medications", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="medication", name="medication_known_class"),
        migrations.AlterField(
            model_name="medication",
            name="drug_class",
            field=models.CharField(choices=CLASSES, max_length=20, verbose_name="class"),
        ),
        migrations.AddConstraint(
            model_name="medication",
            constraint=models.CheckConstraint(
                condition=models.Q(drug_class__in=[value for value, _ in CLASSES]),
                name="medication_known_class",
            ),
        ),
        migrations.RunPython(file_gabapentinoids, file_them_back),
    ]
