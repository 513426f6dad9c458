# Issue 16: notifications grouped by severity (the notification centre).

from django.db import migrations, models

# Issue 16: the notification centre is grouped by severity. Alert notifications were
# titled "<Severity>: <rule> (<patient>)"; an escalation or any other urgent one is urgent.
TITLED = {"Urgent: ": 40, "High: ": 30, "Moderate: ": 20, "Low: ": 10}


def fill_severity(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for prefix, severity in TITLED.items():
        Notification.objects.filter(kind="alert", title__startswith=prefix).update(
            severity=severity
        )
    Notification.objects.filter(is_urgent=True, severity=0).update(severity=40)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_supporter_kinds'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='severity',
            field=models.PositiveSmallIntegerField(default=0, help_text="An alert's severity (alerts.Severity); 0 for everything else."),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', '-severity', '-created_at', '-id'], name='notification_by_severity'),
        ),
        migrations.RunPython(fill_severity, migrations.RunPython.noop),
    ]
