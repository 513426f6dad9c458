"""Reassessing in the background: a check-in's write stays short, the risk follows at once.

The check-in service enqueues this in its own transaction (so it exists exactly when the
check-in does); a worker runs it within about half a second. Urgent alerts (a safety
answer, ketamine symptoms) do not wait for it: the check-in raises them itself.

One reassessment per patient waits in the queue at a time (models.PendingReassessment):
a second check-in before the worker has started the first's reassessment adds nothing,
since that reassessment will read both (issue 13, point 2: the queue row was the largest
cost left that only a check-in pays).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from waymark import prepared
from waymark.patients.models import Patient
from waymark.risk.models import PendingReassessment
from waymark.risk.services import reassess

# A pending reassessment this old is taken to be lost (its task failed before it started,
# or was removed): the next check-in queues another. Queued ones start within seconds;
# a second one queued for a patient is harmless, only extra work.
PENDING_FOR_AT_MOST = dt.timedelta(minutes=15)


@task(priority=10)
def reassess_patient(patient_id: str) -> int:
    patient = Patient.objects.select_related("organization").filter(pk=patient_id).first()
    if patient is None:
        return -1
    # Before anything is read, and committed on its own (the worker runs tasks outside a
    # transaction): from now on a check-in queues a new reassessment. A check-in that
    # holds the row (reassess_soon) is waited for, so what follows reads it.
    PendingReassessment.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).delete()
    return reassess(patient).level


def reassess_soon(patient: Patient, now: dt.datetime | None = None) -> None:
    """Enqueue a reassessment in the caller's transaction, unless one is pending.

    The pending row is inserted, or the one there locked until the caller's transaction
    ends (INSERT … ON CONFLICT DO UPDATE … WHERE, one statement, its SQL built once), so
    the task cannot start reading between this check and the commit."""
    now = now or timezone.now()
    pending = PendingReassessment(
        organization_id=patient.organization_id, patient=patient, queued_at=now
    )
    if prepared.insert(
        pending,
        unless_taken=("organization", "patient"),
        renew_before=("queued_at", now - PENDING_FOR_AT_MOST),
    ):
        reassess_patient.enqueue(str(patient.pk))
