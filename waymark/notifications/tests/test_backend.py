"""The task backend's enqueue (notifications/backend.py) writes the row the library's does."""

from __future__ import annotations

from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from waymark.notifications.backend import DatabaseBackend
from waymark.notifications.tasks import deliver_email

# What differs between two enqueues of the same task anyway.
OWN = {"id", "enqueued_at"}


def test_it_enqueues_the_same_row_as_the_librarys_backend(db: None) -> None:
    backend = deliver_email.get_backend()
    assert isinstance(backend, DatabaseBackend)
    ours = deliver_email.enqueue(7)
    # the library's own write (objects.create), not this subclass's
    theirs = LibraryBackend._task_to_db_task(backend, deliver_email, [7], {})

    rows = [DBTaskResult.objects.get(pk=pk) for pk in (ours.id, theirs.pk)]
    fields = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in OWN]
    assert [getattr(rows[0], name) for name in fields] == [
        getattr(rows[1], name) for name in fields
    ]
    assert rows[0].run_after == get_date_max(), "set by the model's pre_save receiver"
    assert (ours.status, ours.args, ours.task) == (
        theirs.task_result.status, theirs.task_result.args, theirs.task_result.task
    )  # fmt: skip
