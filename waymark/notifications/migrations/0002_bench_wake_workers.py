# Issue 13, point 5: on PostgreSQL, a task enqueued wakes the workers when its transaction
# commits (NOTIFY is delivered at commit, and not at all on rollback). SQLite has no
# LISTEN/NOTIFY: its workers keep polling. See waymark/notifications/wakeup.py.

from django.db import migrations

from waymark.db_triggers import run_sql_per_vendor

UP = {
    "postgresql": [
        """
        CREATE FUNCTION waymark_wake_task_workers() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('waymark_tasks', '');
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER waymark_wake_task_workers
        AFTER INSERT ON django_tasks_database_dbtaskresult
        FOR EACH STATEMENT EXECUTE FUNCTION waymark_wake_task_workers()
        """,
    ],
    "sqlite": [],
}
DOWN = {
    "postgresql": [
        "DROP TRIGGER waymark_wake_task_workers ON django_tasks_database_dbtaskresult",
        "DROP FUNCTION waymark_wake_task_workers()",
    ],
    "sqlite": [],
}


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
    ]

    operations = [run_sql_per_vendor(UP, DOWN)]
