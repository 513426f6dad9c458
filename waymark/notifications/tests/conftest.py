from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker


@pytest.fixture
def run_tasks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run every ready task with django-tasks-db's real worker loop, in this process.

    The loop closes "old" connections between tasks; inside a test's transaction that
    would close the test's own connection (PostgreSQL), so that one call is skipped.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run
