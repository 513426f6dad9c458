"""One reassessment per patient waits in the queue (issue 13, point 2): a check-in that
finds one pending queues nothing more, and the one that runs reads every check-in made
before it started. The queue is the pending rows themselves, which workers claim: a
check-in writes no task row. See risk/tasks.py and models.PendingReassessment."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from waymark.checkins.services import CheckInData, submit_checkin
from waymark.conftest import TODAY
from waymark.notifications.worker import recover_stalled_tasks
from waymark.patients.models import Patient
from waymark.risk import tasks
from waymark.risk.models import PatientRisk, PendingReassessment
from waymark.testing.real_database import run_script

pytestmark = pytest.mark.usefixtures("frozen")


def check_in(patient: Patient, day: dt.date = TODAY, craving: int = 2) -> None:
    data = CheckInData(
        local_date=day, craving=craving, mood=4, sleep_hours=Decimal("7"), sleep_quality=4,
        stress=2, safety_concern=False,
    )  # fmt: skip
    submit_checkin(patient, data, key=uuid.uuid4())


def queued() -> list[str]:
    """The patient ids of the reassessments waiting to start (not claimed)."""
    waiting = PendingReassessment.objects.filter(claimed_at=None)
    return [str(patient_id) for patient_id in waiting.values_list("patient_id", flat=True)]


def test_it_queues_one_reassessment_for_two_check_ins_and_it_reads_both(
    alice: Patient, dana: Patient, run_tasks: Callable[[], None]
) -> None:
    check_in(alice, TODAY - dt.timedelta(days=1), craving=7)  # yesterday's, filled in late
    check_in(alice, TODAY, craving=9)
    check_in(alice, TODAY, craving=8)  # and an edit
    check_in(dana)

    assert sorted(queued()) == sorted([str(alice.pk), str(dana.pk)])
    assert PendingReassessment.objects.filter(patient=alice).count() == 1
    assert not DBTaskResult.objects.exists(), "no task row: the pending row is the queue"

    run_tasks()

    assert queued() == [] and not PendingReassessment.objects.exists()
    assert PatientRisk.objects.get(patient=alice).craving_14d[-2:] == [7, 8]


def test_a_check_in_after_the_reassessment_started_queues_a_new_one(
    alice: Patient, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_in(alice, craving=3)
    reassess, runs = tasks.reassess, []

    def a_check_in_arrives_meanwhile(patient: Patient, **kwargs: Any) -> PatientRisk:
        claimed = PendingReassessment.objects.get()
        assert claimed.claimed_at is not None, "claimed before anything is read"
        runs.append(claimed.claimed_by)
        if len(runs) == 1:
            check_in(patient, craving=9)  # too late for this reassessment to be sure to see
            assert queued() == [str(patient.pk)], "back in the queue"
        return reassess(patient, **kwargs)

    monkeypatch.setattr(tasks, "reassess", a_check_in_arrives_meanwhile)
    run_tasks()  # the first reassessment, then the one the check-in queued again

    assert runs == ["test-worker", "test-worker"]
    assert not PendingReassessment.objects.exists(), "the second run removed it"
    assert PatientRisk.objects.get(patient=alice).craving_14d[-1] == 9


def test_a_reassessment_claimed_by_a_stopped_worker_runs_again(
    alice: Patient, run_tasks: Callable[[], None]
) -> None:
    check_in(alice, craving=9)
    claimed = tasks.claim_reassessment("a-worker-that-dies")
    assert claimed is not None and claimed.patient_id == alice.pk
    assert tasks.claim_reassessment("another-worker") is None, "held: nobody else takes it"
    run_tasks()
    assert PendingReassessment.objects.get().claimed_by == "a-worker-that-dies"
    assert not PatientRisk.objects.filter(patient=alice).exclude(craving_14d=[]).exists()

    assert recover_stalled_tasks() == 1, "its worker never beat: released"
    assert queued() == [str(alice.pk)]
    run_tasks()

    assert not PendingReassessment.objects.exists()
    assert PatientRisk.objects.get(patient=alice).craving_14d[-1] == 9


def test_a_failed_reassessment_stays_claimed_and_the_next_check_in_queues_it_again(
    alice: Patient, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_in(alice, craving=4)

    def fails(patient: Patient, **kwargs: Any) -> PatientRisk:
        raise RuntimeError("the risk rules failed")

    reassess = tasks.reassess
    monkeypatch.setattr(tasks, "reassess", fails)
    run_tasks()  # logged; the worker goes on
    assert queued() == [] and PendingReassessment.objects.get().claimed_by == "test-worker"

    monkeypatch.setattr(tasks, "reassess", reassess)
    check_in(alice, craving=9)
    assert queued() == [str(alice.pk)]
    run_tasks()
    assert not PendingReassessment.objects.exists()
    assert PatientRisk.objects.get(patient=alice).craving_14d[-1] == 9


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
from waymark.risk.models import PatientRisk, PendingReassessment
from waymark.risk.tasks import reassess_next

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
# The edit holds its transaction open after its write (which queued the reassessment).
rules, found = services.alert_for_checkin, threading.Event()
services.alert_for_checkin = lambda *a, **k: (found.set(), time.sleep(1), rules(*a, **k))[-1]

def edit():
    try:
        check_in(9)
    finally:
        connection.close()

def worker():
    found.wait()
    try:
        while not reassess_next("racer"):  # the held row is skipped until the edit commits
            time.sleep(0.05)
    finally:
        connection.close()

threads = [threading.Thread(target=edit), threading.Thread(target=worker)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(
    PatientRisk.objects.get(patient=patient).craving_14d[-1],
    PendingReassessment.objects.count() + DBTaskResult.objects.count(),
)
"""


def test_a_reassessment_starting_during_a_check_in_waits_for_it_and_reads_it(
    tmp_path: Path,
) -> None:
    output = run_script(tmp_path, RACE)
    assert output.split() == ["9", "0"], "it read the edit; the edit queued no other"
