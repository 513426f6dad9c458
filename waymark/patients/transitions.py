"""Care transitions made by clinicians: admit, move between levels of care, discharge.

Each checks the dates against the patient's history, writes the audit entry and the
change in one transaction, and names the field at fault when it refuses.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from waymark.access import Actor
from waymark.audit.models import AuditAction
from waymark.audit.services import record
from waymark.organizations.models import Program
from waymark.patients.models import Episode, Patient, ProgramStay
from waymark.patients.services import admit, discharge, move_to_program
from waymark.risk.services import reassess


def _not_in_future(on: dt.date, today: dt.date, what: str) -> None:
    if on > today:
        raise ValidationError({"on": f"The {what} cannot be in the future."})


def open_episode(patient: Patient) -> Episode | None:
    return patient.episodes.filter(discharged_on__isnull=True).first()


@transaction.atomic
def admit_patient(
    actor: Actor,
    patient: Patient,
    program: Program,
    *,
    on: dt.date,
    planned_discharge_on: dt.date | None,
    today: dt.date,
) -> Episode:
    _not_in_future(on, today, "admission")
    episode = admit(patient, program, on=on, planned_discharge_on=planned_discharge_on)
    record(
        actor, AuditAction.CREATE, patient=patient, object_type="episode", object_id=str(episode.pk)
    )
    reassess(patient)
    return episode


@transaction.atomic
def move_patient(
    actor: Actor, patient: Patient, program: Program, *, on: dt.date, today: dt.date
) -> ProgramStay:
    episode = open_episode(patient)
    if episode is None:
        raise ValidationError("This patient is not in care; admit them first.")
    _not_in_future(on, today, "move")
    stay = move_to_program(episode, program, on=on)
    record(
        actor,
        AuditAction.CREATE,
        patient=patient,
        object_type="program_stay",
        object_id=str(stay.pk),
    )
    reassess(patient)
    return stay


@transaction.atomic
def discharge_patient(
    actor: Actor,
    patient: Patient,
    *,
    on: dt.date,
    destination: str,
    aftercare_plan: str,
    today: dt.date,
) -> Episode:
    episode = open_episode(patient)
    if episode is None:
        raise ValidationError("This patient is not in care.")
    _not_in_future(on, today, "discharge")
    discharge(episode, on=on, destination=destination, aftercare_plan=aftercare_plan)
    record(
        actor,
        AuditAction.UPDATE,
        patient=patient,
        object_type="discharge",
        object_id=str(episode.pk),
    )
    reassess(patient)
    return episode
