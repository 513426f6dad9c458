"""Alert e-mails are not queued behind reassessments, and an idle worker wakes as soon as
a task is enqueued (issue 13, point 5).

Seen before: alert delivery start p95 4–11 s under load. Every check-in enqueues a
reassessment at priority 10 and workers take the highest priority first, so an urgent
e-mail (priority 0) waited behind all of them; an idle worker also slept its poll interval.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.notifications.wakeup import Wakeup
from waymark.patients.models import Patient
from waymark.risk.tasks import reassess_patient
from waymark.testing.real_database import ROOT, manage, real_database

ON_POSTGRES = connection.vendor == "postgresql"
POLL = 30.0  # seconds: far longer than the test may take, so only a wake-up can pass it


def test_it_runs_an_urgent_email_before_the_reassessments_queued_before_it(
    alice: Patient, run_tasks: Callable[[], None]
) -> None:
    for _ in range(3):
        reassess_patient.enqueue(str(alice.pk))
    urgent = Message(kind=Kind.ALERT, title="Urgent alert", urgent=True)
    notify(alice.organization, alice.user, urgent, dedupe_key="urgent", patient=alice)
    reminder = Message(kind=Kind.CHECKIN_REMINDER, title="Time for your check-in")
    notify(alice.organization, alice.user, reminder, dedupe_key="reminder", patient=alice)
    run_tasks()
    started = DBTaskResult.objects.order_by("started_at").values_list("task_path", "priority")
    paths = [(path.rsplit(".", 1)[-1], priority) for path, priority in started]
    assert paths[0] == ("deliver_email", 50), "the urgent e-mail first"
    assert paths[1:4] == [("reassess_patient", 10)] * 3
    assert paths[4] == ("deliver_email", 0), "a reminder still waits its turn"


def test_it_polls_where_the_database_cannot_notify() -> None:
    if ON_POSTGRES:
        pytest.skip("PostgreSQL listens; the polling fallback is what SQLite uses")
    wakeup = Wakeup(0.05)
    began = time.monotonic()
    assert (wakeup.listening, wakeup.wait()) == (False, False)
    assert time.monotonic() - began >= 0.05


ENQUEUE = (
    "import uuid; from waymark.risk.tasks import reassess_patient as t; "
    "print(t.enqueue(str(uuid.uuid4())).id)"
)
STARTED = (
    "from django_tasks_db.models import DBTaskResult as R; r = R.objects.get(pk='{id}'); "
    "print(r.status, (r.started_at - r.enqueued_at).total_seconds() if r.started_at else '-')"
)


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY exist only on PostgreSQL")
def test_it_wakes_an_idle_worker_at_once_when_a_task_is_enqueued(tmp_path: Path) -> None:
    """A real worker process polling every 30 s starts a new task within 2 s."""
    with real_database(tmp_path) as env:
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", str(POLL)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            assert worker.stdout is not None
            assert "woken by each new task" in worker.stdout.readline()
            time.sleep(2)  # past its random start-up delay (< 1 s) and first poll: idle
            task_id = manage(env, "shell", "-v0", "-c", ENQUEUE).strip()
            deadline = time.monotonic() + 10
            while True:
                status, waited = manage(
                    env, "shell", "-v0", "-c", STARTED.format(id=task_id)
                ).split()
                if status == "SUCCESSFUL" or time.monotonic() > deadline:
                    break
        finally:
            worker.terminate()
            worker.wait(10)
    assert status == "SUCCESSFUL", f"still asleep: the worker polls every {POLL:.0f} s"
    assert float(waited) < 2
