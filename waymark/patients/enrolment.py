"""Adding a patient in one step (issue 16, point 7): their account, their record, their
admission to a program and their care team, in one transaction, and the invitation to
choose a password queued in the same one (the delivery queue: retried, a failure shown
under Deliveries with "try again"). Either all of it happens, or none of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.accounts.services import create_invited_user, send_invitation
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import refuses
from waymark.organizations.models import Program
from waymark.patients.models import Patient
from waymark.patients.services import assign_clinician, enroll_patient
from waymark.patients.transitions import admit_patient, organization_today


@dataclass(frozen=True)
class Enrolment:
    username: str
    email: str
    preferred_name: str
    date_of_birth: dt.date
    timezone: str
    program: Program
    admitted_on: dt.date
    legal_name: str = ""
    phone: str = ""
    allergies: str = ""
    substances: Sequence[str] | None = None
    substance_goals: dict[str, str] | None = None
    recovery_start_date: dt.date | None = None
    care_team: Sequence[User] = field(default_factory=list)
    primary_clinician: User | None = None


@refuses
@transaction.atomic
def enrol(actor: Actor, data: Enrolment) -> Patient:
    organization = actor.organization
    if organization is None:
        raise PermissionError("Patients are added from an organization admin's account.")
    user = create_invited_user(
        username=data.username, email=data.email, first_name=data.preferred_name
    )
    patient = enroll_patient(
        organization,
        user,
        preferred_name=data.preferred_name,
        legal_name=data.legal_name,
        date_of_birth=data.date_of_birth,
        phone=data.phone,
        allergies=data.allergies,
        timezone=data.timezone,
        substances=list(data.substances) if data.substances is not None else None,
        substance_goals=data.substance_goals,
        recovery_start_date=data.recovery_start_date,
    )
    record(
        actor,
        AuditAction.CREATE,
        patient=patient,
        object_type=AuditObject.ENROLMENT,
        object_id=str(patient.pk),
    )
    admit_patient(
        actor,
        patient,
        data.program,
        on=data.admitted_on,
        planned_discharge_on=None,
        today=organization_today(organization),
    )
    team = list(data.care_team)
    if data.primary_clinician is not None and data.primary_clinician not in team:
        team.insert(0, data.primary_clinician)
    for clinician in team:
        assign_clinician(patient, clinician, primary=clinician == data.primary_clinician)
    send_invitation(user)
    return patient
