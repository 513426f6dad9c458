"""The scheduler: once a minute, enqueue each periodic job for that minute.

Several schedulers may run (one per app server): a ScheduledRun row per job and
minute makes the second one skip, and every job is idempotent anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from waymark.notifications import jobs
from waymark.notifications.models import ScheduledRun

PERIODIC_JOBS: dict[str, Any] = {
    "recover_stalled_tasks": jobs.recover_stalled_tasks_job,
    "escalate_alerts": jobs.escalate_alerts_job,
}


def register(name: str, job: Any) -> None:
    """Apps add their periodic jobs (a django-tasks task taking the minute as ISO text)."""
    PERIODIC_JOBS[name] = job


def tick(now: dt.datetime) -> list[str]:
    """Enqueue every job not yet enqueued for this minute; returns their names."""
    minute = now.replace(second=0, microsecond=0)
    enqueued = []
    for name, job in PERIODIC_JOBS.items():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=name, minute=minute)
                job.enqueue(minute.isoformat())
        except IntegrityError:
            continue
        enqueued.append(name)
    return enqueued
