"""Alert e-mails are not queued behind reassessments, and an idle worker wakes as soon as
a task or a reassessment is queued (issue 13, point 5).

Seen before: alert delivery start p95 4–11 s under load. Every check-in enqueues a
reassessment at priority 10 and workers take the highest priority first, so an urgent
e-mail (priority 0) waited behind all of them; an idle worker also slept its poll interval.
Reassessments are queued in their own table now (risk/tasks.py); the worker takes them
between the tasks above their priority and the rest.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.notifications.wakeup import Wakeup
from waymark.patients.models import Patient
from waymark.risk import tasks as reassessments
from waymark.risk.models import PendingReassessment
from waymark.testing.real_database import ROOT, manage, real_database

ON_POSTGRES = connection.vendor == "postgresql"
POLL = 30.0  # seconds: far longer than the test may take, so only a wake-up can pass it


def test_it_runs_an_urgent_email_before_the_reassessments_queued_before_it(
    alice: Patient, dana: Patient, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for patient in (alice, dana):
        reassessments.reassess_soon(patient)
    urgent = Message(kind=Kind.ALERT, title="Urgent alert", urgent=True)
    notify(alice.organization, alice.user, urgent, dedupe_key="urgent", patient=alice)
    reminder = Message(kind=Kind.CHECKIN_REMINDER, title="Time for your check-in")
    notify(alice.organization, alice.user, reminder, dedupe_key="reminder", patient=alice)
    reassess, seen = reassessments.reassess, []

    def tasks_run_before(patient: Patient, **kwargs: Any) -> Any:
        started = DBTaskResult.objects.exclude(started_at=None).order_by("started_at")
        seen.append([(path.rsplit(".", 1)[-1], n) for path, n in started.values_list(
            "task_path", "priority"
        )])  # fmt: skip
        return reassess(patient, **kwargs)

    monkeypatch.setattr(reassessments, "reassess", tasks_run_before)
    run_tasks()
    assert seen == [[("deliver_email", 50)]] * 2, "the urgent e-mail first, the reminder after"
    started = DBTaskResult.objects.order_by("started_at").values_list("task_path", "priority")
    assert [(path.rsplit(".", 1)[-1], n) for path, n in started] == [
        ("deliver_email", 50), ("deliver_email", 0)
    ]  # fmt: skip
    assert not PendingReassessment.objects.exists()


def test_it_polls_where_the_database_cannot_notify() -> None:
    if ON_POSTGRES:
        pytest.skip("PostgreSQL listens; the polling fallback is what SQLite uses")
    wakeup = Wakeup(0.05)
    began = time.monotonic()
    assert (wakeup.listening, wakeup.wait()) == (False, False)
    assert time.monotonic() - began >= 0.05


ENQUEUE = "from waymark.notifications.tasks import deliver_email as t; print(t.enqueue(0).id)"
STARTED = (
    "from django_tasks_db.models import DBTaskResult as R; r = R.objects.get(pk='{id}'); "
    "print(r.status, (r.started_at - r.enqueued_at).total_seconds() if r.started_at else '-')"
)


@contextlib.contextmanager
def idle_worker(env: dict[str, str]) -> Iterator[None]:
    """A real worker process polling every POLL seconds, listening and idle."""
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", str(POLL)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert worker.stdout is not None
        assert "woken by each new task" in worker.stdout.readline()
        time.sleep(2)  # past its random start-up delay (< 1 s) and first poll: idle
        yield
    finally:
        worker.terminate()
        worker.wait(10)


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY exist only on PostgreSQL")
def test_it_wakes_an_idle_worker_at_once_when_a_task_is_enqueued(tmp_path: Path) -> None:
    """A real worker process polling every 30 s starts a new task within 2 s."""
    with real_database(tmp_path) as env, idle_worker(env):
        task_id = manage(env, "shell", "-v0", "-c", ENQUEUE).strip()
        deadline = time.monotonic() + 10
        while True:
            status, waited = manage(env, "shell", "-v0", "-c", STARTED.format(id=task_id)).split()
            if status == "SUCCESSFUL" or time.monotonic() > deadline:
                break
    assert status == "SUCCESSFUL", f"still asleep: the worker polls every {POLL:.0f} s"
    assert float(waited) < 2


QUEUE_REASSESSMENT = """
import datetime as dt
from django.db import transaction
from waymark.accounts.models import User
from waymark.organizations.services import create_organization
from waymark.patients.services import enroll_patient
from waymark.risk.models import PendingReassessment as P
from waymark.risk.tasks import reassess_soon

org = create_organization(name="Wake", slug="wake", timezone="UTC")
patient = enroll_patient(
    org, User.objects.create_user(username="woken"), preferred_name="W",
    date_of_birth=dt.date(1990, 1, 1),
)
with transaction.atomic():
    reassess_soon(patient)
print(patient.pk, P.objects.get().queued_at.timestamp())
"""
TASK_ROWS = "from django_tasks_db.models import DBTaskResult as R; print(R.objects.count())"
ASSESSED = (
    "from waymark.risk.models import PatientRisk as R, PendingReassessment as P; "
    "r = R.objects.filter(patient_id='{id}').first(); "
    "print(P.objects.count(), r.assessed_at.timestamp() if r else '-')"
)


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY exist only on PostgreSQL")
def test_it_wakes_an_idle_worker_at_once_when_a_reassessment_is_queued(tmp_path: Path) -> None:
    """A real worker process polling every 30 s runs a newly queued reassessment within 2 s
    (the pending row's own trigger: no task row is written for it)."""
    with real_database(tmp_path) as env:
        with idle_worker(env):
            patient_id, queued = manage(env, "shell", "-v0", "-c", QUEUE_REASSESSMENT).split()
            deadline = time.monotonic() + 10
            while True:
                left, assessed = manage(
                    env, "shell", "-v0", "-c", ASSESSED.format(id=patient_id)
                ).split()
                if left == "0" or time.monotonic() > deadline:
                    break
        tasks = manage(env, "shell", "-v0", "-c", TASK_ROWS).strip()
    assert left == "0", f"still asleep: the worker polls every {POLL:.0f} s"
    assert 0 < float(assessed) - float(queued) < 2
    assert tasks == "0", "queued without a task row"
