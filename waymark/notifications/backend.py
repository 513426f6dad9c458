"""The task backend: django-tasks-db's, whose enqueue writes the task row with its SQL
built once (waymark/prepared.py) instead of compiling an INSERT each time.

Every check-in's first reassessment is queued through here, so on the check-in's path
the ORM's create (query compilation) and a second build of the task result were most
of the enqueue's CPU (issue 13, point 2). The row written is the same: the model's
defaults, `pre_save` (which sets `run_after`) and `post_save` as `objects.create`.
Settings `TASKS` names this class; `run_worker` and `db_worker` accept it (a subclass).
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.backend import DatabaseBackend as DjangoTasksDatabaseBackend
from django_tasks_db.backend import TaskResult
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

from waymark import prepared


class DatabaseBackend(DjangoTasksDatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        """As the library's (an `objects.create` of the same fields), through prepared."""
        result: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        prepared.insert(result)
        return result

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        """As the library's, with the task result built once (it built it twice)."""
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result
