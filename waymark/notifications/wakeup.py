"""Waking task workers the moment work is enqueued (issue 13, point 5).

On PostgreSQL a trigger on the task table NOTIFYs `waymark_tasks` when a task is enqueued
(and one on the pending reassessments when one is queued: risk migration 0009);
it is delivered when the enqueuing transaction commits, so a worker never wakes for a
task it cannot see yet. Each worker LISTENs on its own connection and waits for a
notification or its poll interval, whichever comes first: polling stays as the fallback
(tasks whose `run_after` comes due, a lost connection, SQLite, which has no NOTIFY).
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from waymark.risk import tasks as reassessments

logger = logging.getLogger(__name__)

CHANNEL = "waymark_tasks"  # the trigger of notifications/migrations/0002_bench_wake_workers.py


class Wakeup:
    """Waits until a task is enqueued (PostgreSQL) or `interval` seconds pass."""

    def __init__(self, interval: float, alias: str = "default") -> None:
        self.interval = interval
        self.listener: BaseDatabaseWrapper | None = None
        if connections[alias].vendor == "postgresql":
            try:
                listener = connections.create_connection(alias)
                listener.ensure_connection()  # autocommit: LISTEN takes effect at once
                listener.connection.execute(f"LISTEN {CHANNEL}")
                self.listener = listener
            except DatabaseError:
                logger.warning("cannot LISTEN for new tasks; polling every %s s", interval)

    @property
    def listening(self) -> bool:
        return self.listener is not None

    def wait(self) -> bool:
        """True if woken by an enqueued task, False after the interval."""
        if self.listener is None:
            time.sleep(self.interval)
            return False
        try:
            # Notifications that came while a task ran are queued: they wake at once,
            # which costs one poll that may find nothing.
            for _ in self.listener.connection.notifies(timeout=self.interval, stop_after=1):
                return True
            return False
        except Exception:  # a lost listener must not stop the worker: poll instead
            logger.exception("lost the LISTEN connection; polling from now on")
            self.close()
            return False

    def close(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(DatabaseError):
                self.listener.close()
            self.listener = None


class WakingWorker(Worker):
    """django-tasks-db's Worker whose idle wait ends when work is queued, and which also
    runs the queued reassessments (risk/tasks.py: their queue is their own table).

    The loop is Worker.run's (claim the highest-priority ready task with SKIP LOCKED,
    run it, stop for `batch` or `max_tasks`) with `Wakeup.wait` where it sleeps, and the
    reassessments taken in their place in the priority order: tasks above
    `risk.tasks.PRIORITY` first, then a reassessment, then the other tasks. `wakeup`
    None: never wait (a batch run in this process, as the tests' `run_tasks`).
    """

    def __init__(self, *, wakeup: Wakeup | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wakeup = wakeup

    def claim_next(self, *, above: int | None = None) -> tuple[DBTaskResult | None, bool]:
        """The next task (of a priority above `above`, if given), claimed; and whether the
        database answered (not locked)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if above is not None:
            tasks = tasks.filter(priority__gt=above)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return None, False
        return task_result, True

    def run_next(self) -> tuple[bool, bool]:
        """Run one task or queued reassessment, in priority order: whether one ran, and
        whether the database answered every claim."""
        task_result, answered = self.claim_next(above=reassessments.PRIORITY)
        if task_result is None and reassessments.reassess_next(self.worker_id):
            self._run_tasks += 1
            return True, answered
        if task_result is None:
            task_result, answered_again = self.claim_next()
            answered = answered and answered_again
        if task_result is None:
            return False, answered
        self.run_task(task_result)
        return True, answered

    def run(self) -> None:
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spread workers started together
        try:
            while self.running:
                close_old_connections()
                ran, answered = self.run_next()
                if not ran and self.batch and answered:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and not ran and self.wakeup is not None:
                    self.wakeup.wait()
        finally:
            if self.wakeup is not None:
                self.wakeup.close()
