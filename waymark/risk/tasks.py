"""Reassessing in the background: a check-in's write stays short, the risk follows at once.

The check-in service enqueues this in its own transaction (so it exists exactly when the
check-in does); a worker runs it within about half a second. Urgent alerts (a safety
answer, ketamine symptoms) do not wait for it: the check-in raises them itself.
"""

from __future__ import annotations

from django_tasks import task

from waymark.patients.models import Patient
from waymark.risk.services import reassess


@task(priority=10)
def reassess_patient(patient_id: str) -> int:
    patient = Patient.objects.select_related("organization").filter(pk=patient_id).first()
    if patient is None:
        return -1
    return reassess(patient).level


def reassess_soon(patient: Patient) -> None:
    """Enqueue a reassessment in the caller's transaction."""
    reassess_patient.enqueue(str(patient.pk))
