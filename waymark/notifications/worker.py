"""The task worker's heartbeat, and recovery of tasks held by a worker that died.

django-tasks-db marks a claimed task RUNNING; if its worker is killed, nothing would
ever run it again. Each Waymark worker records a heartbeat; a RUNNING task whose
worker has gone silent (or whose process is gone from this host) is made READY again.
Tasks are written to be safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from waymark.notifications.models import WorkerHeartbeat
from waymark.risk.models import PendingReassessment

logger = logging.getLogger(__name__)

BEAT_EVERY = dt.timedelta(seconds=5)
SILENT_AFTER = dt.timedelta(seconds=30)


def beat(worker_id: str, *, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": now,
        },
    )


class Heartbeat(threading.Thread):
    """Beats in the background while the worker runs tasks in the main thread."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    beat(self.worker_id, started_at=self.started_at)
                except Exception:  # a missed beat must not kill the worker
                    logger.exception("heartbeat failed")
                    close_old_connections()
                self.stopped.wait(BEAT_EVERY.total_seconds())
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_worker_ids(now: dt.datetime) -> set[str]:
    """Workers that beat recently and, if on this host, whose process still exists."""
    here = socket.gethostname()
    alive = set()
    for heartbeat in WorkerHeartbeat.objects.filter(last_seen_at__gte=now - SILENT_AFTER):
        if heartbeat.hostname == here and not _process_exists(heartbeat.pid):
            continue
        alive.add(heartbeat.worker_id)
    return alive


def recover_stalled_tasks(now: dt.datetime | None = None) -> int:
    """Make RUNNING tasks of dead workers READY again, and put the reassessments they
    claimed back in the queue; returns how many."""
    now = now or timezone.now()
    alive = live_worker_ids(now)
    stalled = [
        result.pk
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "pk", "worker_ids", "started_at"
        )
        if not result.worker_ids or result.worker_ids[-1] not in alive
    ]
    if stalled:
        DBTaskResult.objects.filter(pk__in=stalled, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("made %d stalled task(s) ready to run again", len(stalled))
    # The queued reassessments (risk/tasks.py) claimed by those workers: back in the queue.
    released = (
        PendingReassessment.objects.filter(claimed_at__isnull=False)
        .exclude(claimed_by__in=alive)
        .update(claimed_at=None, claimed_by="")
    )
    if released:
        logger.warning("put %d reassessment(s) of a stopped worker back in the queue", released)
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - SILENT_AFTER * 10).delete()
    return len(stalled) + released
