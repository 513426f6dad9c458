from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from waymark.notifications.models import ScheduledRun, WorkerHeartbeat
from waymark.notifications.scheduler import PERIODIC_JOBS, tick
from waymark.notifications.worker import beat, recover_stalled_tasks

NOW = dt.datetime(2026, 11, 27, 15, 0, 20, tzinfo=dt.UTC)
HOURLY = {name for name, (_, every) in PERIODIC_JOBS.items() if every == 60}


def test_it_enqueues_each_job_once_in_its_minute(db: None, run_tasks: Callable[[], None]) -> None:
    assert {"missed_checkins"} == HOURLY
    assert set(tick(NOW)) == set(PERIODIC_JOBS)
    assert tick(NOW + dt.timedelta(seconds=30)) == [], "a second scheduler in the same minute"
    assert set(tick(NOW + dt.timedelta(minutes=1))) == set(PERIODIC_JOBS) - HOURLY
    assert set(tick(NOW + dt.timedelta(hours=1))) == set(PERIODIC_JOBS)
    assert DBTaskResult.objects.count() == 3 * len(PERIODIC_JOBS) - len(HOURLY)
    assert ScheduledRun.objects.count() == DBTaskResult.objects.count()
    run_tasks()
    assert DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).count() == 0


def running_task(worker_id: str) -> DBTaskResult:
    job, _ = PERIODIC_JOBS["escalate_alerts"]
    result = DBTaskResult.objects.get(pk=job.enqueue("x").id)
    result.claim(worker_id)
    return result


@pytest.mark.django_db
def test_it_makes_a_dead_workers_task_ready_again() -> None:
    orphan = running_task("worker-that-died")
    assert recover_stalled_tasks() == 1
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert orphan.worker_ids == ["worker-that-died"]


@pytest.mark.django_db
def test_it_leaves_a_live_workers_task_alone() -> None:
    beat("busy-worker", started_at=NOW)
    busy = running_task("busy-worker")
    assert recover_stalled_tasks() == 0
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_it_treats_a_worker_whose_process_is_gone_as_dead() -> None:
    beat("gone-worker", started_at=NOW)
    WorkerHeartbeat.objects.filter(worker_id="gone-worker").update(pid=2**22 + os.getpid())
    running_task("gone-worker")
    assert recover_stalled_tasks() == 1
