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

# name → (task taking the minute as ISO text, run every N minutes)
PERIODIC_JOBS: dict[str, tuple[Any, int]] = {
    "recover_stalled_tasks": (jobs.recover_stalled_tasks_job, 1),
    "escalate_alerts": (jobs.escalate_alerts_job, 1),
    "checkin_reminders": (jobs.checkin_reminders_job, 1),
    "questionnaire_reminders": (jobs.questionnaire_reminders_job, 1),
    "missed_checkins": (jobs.missed_checkins_job, 60),
}


def register(name: str, job: Any, *, every_minutes: int = 1) -> None:
    """Apps add their periodic jobs (a django-tasks task taking the minute as ISO text)."""
    PERIODIC_JOBS[name] = (job, every_minutes)


def tick(now: dt.datetime) -> list[str]:
    """Enqueue every job not yet enqueued for this minute; returns their names."""
    minute = now.replace(second=0, microsecond=0)
    enqueued = []
    minute_of_day = minute.hour * 60 + minute.minute
    for name, (job, every) in PERIODIC_JOBS.items():
        if minute_of_day % every:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=name, minute=minute)
                job.enqueue(minute.isoformat())
        except IntegrityError:
            continue
        enqueued.append(name)
    return enqueued
