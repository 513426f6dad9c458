# Issue 13, point 2: the pending reassessment row is the queue (workers claim it; no task
# row per check-in). On PostgreSQL a row put in the queue (inserted, or put back with its
# claim cleared) wakes the workers when its transaction commits, as a new task row does
# (notifications 0002: the same function and channel). SQLite's workers keep polling.

from django.db import migrations, models

from waymark.db_triggers import run_sql_per_vendor

UP = {
    "postgresql": [
        """
        CREATE TRIGGER waymark_wake_for_reassessment
        AFTER INSERT OR UPDATE OF claimed_at ON risk_pendingreassessment
        FOR EACH ROW WHEN (NEW.claimed_at IS NULL)
        EXECUTE FUNCTION waymark_wake_task_workers()
        """,
    ],
    "sqlite": [],
}
DOWN = {
    "postgresql": ["DROP TRIGGER waymark_wake_for_reassessment ON risk_pendingreassessment"],
    "sqlite": [],
}


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_bench_wake_workers'),
        ('risk', '0008_one_pending_reassessment_per_patient'),
    ]

    operations = [
        migrations.AddField(
            model_name='pendingreassessment',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='pendingreassessment',
            name='claimed_by',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        run_sql_per_vendor(UP, DOWN),
    ]
