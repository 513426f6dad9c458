from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_urgent_ack_minutes"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="care_team_contact",
            field=models.CharField(
                blank=True,
                help_text=(
                    'Shown to patients with crisis help, e.g. "Call the clinic on 555-0100, '
                    'Monday to Friday 9am to 5pm." Patients are told these messages are not '
                    "watched around the clock."
                ),
                max_length=300,
                verbose_name="how patients reach their care team",
            ),
        ),
    ]
