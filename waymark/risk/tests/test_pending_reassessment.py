"""One reassessment per patient waits in the queue (issue 13, point 2): a check-in that
finds one pending queues nothing more, and the one that runs reads every check-in made
before it started. See risk/tasks.py and models.PendingReassessment."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from waymark.checkins.services import CheckInData, submit_checkin
from waymark.conftest import TODAY
from waymark.patients.models import Patient
from waymark.risk import tasks
from waymark.risk.models import PatientRisk, PendingReassessment
from waymark.testing.real_database import ROOT, real_database

pytestmark = pytest.mark.usefixtures("frozen")


def check_in(patient: Patient, day: dt.date = TODAY, craving: int = 2) -> None:
    data = CheckInData(
        local_date=day, craving=craving, mood=4, sleep_hours=Decimal("7"), sleep_quality=4,
        stress=2, safety_concern=False,
    )  # fmt: skip
    submit_checkin(patient, data, key=uuid.uuid4())


def queued() -> list[str]:
    """The patient ids of the reassessments waiting to start."""
    ready = DBTaskResult.objects.filter(
        task_path__endswith="reassess_patient", status=TaskResultStatus.READY
    )
    return [task.args_kwargs["args"][0] for task in ready]


def test_it_queues_one_reassessment_for_two_check_ins_and_it_reads_both(
    alice: Patient, dana: Patient, run_tasks: Callable[[], None]
) -> None:
    check_in(alice, TODAY - dt.timedelta(days=1), craving=7)  # yesterday's, filled in late
    check_in(alice, TODAY, craving=9)
    check_in(alice, TODAY, craving=8)  # and an edit
    check_in(dana)

    assert sorted(queued()) == sorted([str(alice.pk), str(dana.pk)])
    assert PendingReassessment.objects.filter(patient=alice).count() == 1

    run_tasks()

    assert queued() == [] and not PendingReassessment.objects.exists()
    assert PatientRisk.objects.get(patient=alice).craving_14d[-2:] == [7, 8]


def test_a_check_in_after_the_reassessment_started_queues_a_new_one(
    alice: Patient, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_in(alice, craving=3)
    reassess = tasks.reassess

    def a_check_in_arrives_meanwhile(patient: Patient, **kwargs: Any) -> PatientRisk:
        assert not PendingReassessment.objects.exists(), "gone before anything is read"
        check_in(patient, craving=9)  # too late for this reassessment to be sure to see
        monkeypatch.setattr(tasks, "reassess", reassess)
        return reassess(patient, **kwargs)

    monkeypatch.setattr(tasks, "reassess", a_check_in_arrives_meanwhile)
    run_tasks()  # the first reassessment, then the one the check-in queued

    ran = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert ran.count() == 2 and queued() == []
    assert PatientRisk.objects.get(patient=alice).craving_14d[-1] == 9


def test_it_queues_again_when_the_pending_one_is_long_lost(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    check_in(alice)
    DBTaskResult.objects.all().delete()  # its task gone (removed, or failed before starting)
    frozen.shift(tasks.PENDING_FOR_AT_MOST - dt.timedelta(seconds=1))
    check_in(alice)
    assert queued() == [], "still taken to be on its way"

    frozen.shift(dt.timedelta(seconds=2))
    check_in(alice)

    assert queued() == [str(alice.pk)]
    assert PendingReassessment.objects.get().queued_at == timezone.now()


# A check-in finds the pending reassessment and holds its transaction open a moment; the
# worker starts that reassessment meanwhile, on its own connection. It must wait for the
# check-in to commit and read it (had it read first, the check-in would be seen by none).
RACE = """
import datetime as dt, threading, time, uuid
from decimal import Decimal
from django.db import connection
from django_tasks_db.models import DBTaskResult
from waymark.accounts.models import User
from waymark.checkins import services
from waymark.organizations.services import create_organization
from waymark.patients.services import enroll_patient
from waymark.risk.models import PatientRisk
from waymark.risk.tasks import reassess_patient

org = create_organization(name="Race", slug="race", timezone="UTC")
patient = enroll_patient(
    org, User.objects.create_user(username="racer"), preferred_name="R",
    date_of_birth=dt.date(1990, 1, 1),
)
def check_in(craving):
    data = services.CheckInData(
        local_date=dt.datetime.now(dt.UTC).date(), craving=craving, mood=4,
        sleep_hours=Decimal("7"), sleep_quality=4, stress=2, safety_concern=False,
    )
    services.submit_checkin(patient, data, key=uuid.uuid4())
check_in(2)  # queues the reassessment
connection.close()
enqueue, found = services.reassess_soon, threading.Event()
services.reassess_soon = lambda p: (enqueue(p), found.set(), time.sleep(1))

def edit():
    try:
        check_in(9)
    finally:
        connection.close()

def worker():
    found.wait()
    try:
        reassess_patient.call(str(patient.pk))
    finally:
        connection.close()

threads = [threading.Thread(target=edit), threading.Thread(target=worker)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(PatientRisk.objects.get(patient=patient).craving_14d[-1], DBTaskResult.objects.count())
"""


def test_a_reassessment_starting_during_a_check_in_waits_for_it_and_reads_it(
    tmp_path: Path,
) -> None:
    with real_database(tmp_path) as env:
        done = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + RACE],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["9", "1"], "it read the edit; the edit queued no other"
