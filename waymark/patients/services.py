"""Workflows for patients: enrolment and admission to a program."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from waymark.accounts.models import User
from waymark.organizations.models import Organization, Program, Role
from waymark.organizations.services import add_member
from waymark.patients.models import (
    DEFAULT_GOALS,
    CareTeamMember,
    Episode,
    Goal,
    Patient,
    ProgramStay,
    Substance,
)


def clean_substances(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(Substance.values))
    if unknown:
        raise ValidationError({"substances": f"Unknown substance: {', '.join(unknown)}."})
    # Keep the order of Substance, without repeats.
    return [value for value in Substance.values if value in values]


def default_goals(substances: list[str]) -> dict[str, str]:
    """Not using at all, for each substance of concern except tobacco (a goal of its own,
    which the patient or clinician chooses)."""
    return {s: DEFAULT_GOALS[s] for s in Substance.values if s in substances and s in DEFAULT_GOALS}


def clean_goals(goals: dict[str, str], substances: list[str]) -> dict[str, str]:
    """Goals in the order of Substance; a goal is for a substance of concern.

    A substance of concern without a goal is allowed (e.g. tobacco): its use is recorded
    but is not a lapse.
    """
    unknown = sorted(set(goals.values()) - set(Goal.values))
    if unknown:
        raise ValidationError({"substance_goals": f"Unknown goal: {', '.join(unknown)}."})
    outside = [Substance(s).label for s in Substance.values if s in goals and s not in substances]
    if outside or not set(goals) <= set(Substance.values):
        named = ", ".join(outside) or "an unknown substance"
        raise ValidationError(
            {"substance_goals": f"A goal needs a substance of concern: add {named} there too."}
        )
    return {s: goals[s] for s in Substance.values if s in goals}


@transaction.atomic
def enroll_patient(
    organization: Organization,
    user: User,
    *,
    preferred_name: str,
    date_of_birth: dt.date,
    timezone: str | None = None,
    substances: list[str] | None = None,
    substance_goals: dict[str, str] | None = None,
    recovery_start_date: dt.date | None = None,
    legal_name: str = "",
    phone: str = "",
    allergies: str = "",
) -> Patient:
    """Make `user` a patient of `organization` (ketamine preselected as a substance).

    Without `substance_goals`, each substance of concern gets the goal of not using it at
    all, except tobacco, which has no goal unless one is chosen (`default_goals`).
    """
    add_member(organization, user, Role.PATIENT)
    concerns = clean_substances(substances if substances is not None else [Substance.KETAMINE])
    goals = (
        default_goals(concerns)
        if substance_goals is None
        else clean_goals(substance_goals, concerns)
    )
    patient = Patient(
        organization=organization,
        user=user,
        preferred_name=preferred_name,
        legal_name=legal_name,
        date_of_birth=date_of_birth,
        phone=phone,
        allergies=allergies,
        timezone=timezone or organization.timezone,
        substances=concerns,
        substance_goals=goals,
        recovery_start_date=recovery_start_date,
    )
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def admit(
    patient: Patient,
    program: Program,
    *,
    on: dt.date,
    planned_discharge_on: dt.date | None = None,
) -> Episode:
    """Open an episode of care with a first stay in `program`."""
    if program.organization_id != patient.organization_id:
        raise ValidationError({"program": "That program belongs to another organization."})
    if patient.episodes.filter(discharged_on__isnull=True).exists():
        raise ValidationError("This patient already has an open episode of care.")
    last = patient.episodes.filter(discharged_on__isnull=False).order_by("-discharged_on").first()
    if last is not None and last.discharged_on and on < last.discharged_on:
        ended = f"{last.discharged_on:%-d %b %Y}"
        raise ValidationError({"on": f"This would overlap the last episode, discharged {ended}."})
    if planned_discharge_on is not None and planned_discharge_on < on:
        raise ValidationError(
            {"planned_discharge_on": "The planned discharge cannot be before the admission."}
        )
    episode = Episode(
        organization_id=patient.organization_id,
        patient=patient,
        admitted_on=on,
        planned_discharge_on=planned_discharge_on,
    )
    episode.full_clean()
    episode.save()
    planned_end = (
        on + dt.timedelta(days=program.planned_max_days) if program.planned_max_days else None
    )
    ProgramStay.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        episode=episode,
        program=program,
        started_on=on,
        planned_end_on=planned_end,
    )
    return episode


def assign_clinician(patient: Patient, clinician: User, *, primary: bool = False) -> CareTeamMember:
    if not clinician.memberships.filter(
        organization_id=patient.organization_id, role=Role.CLINICIAN, is_active=True
    ).exists():
        raise ValidationError(
            {"clinician": "Only a clinician of this organization can join the care team."}
        )
    member, _ = CareTeamMember.objects.get_or_create(
        organization_id=patient.organization_id,
        patient=patient,
        clinician=clinician,
        defaults={"is_primary": primary},
    )
    return member


@transaction.atomic
def move_to_program(episode: Episode, program: Program, *, on: dt.date) -> ProgramStay:
    """Move an open episode to another program (level of care) on day `on`.

    The current stay ends on `on` and the new one starts that day, so the two
    never overlap by more than the day of the move.
    """
    if not episode.is_open:
        raise ValidationError("This episode of care has been discharged.")
    if program.organization_id != episode.organization_id:
        raise ValidationError({"program": "That program belongs to another organization."})
    current = episode.stays.select_for_update().filter(ended_on__isnull=True).first()
    if current is not None:
        if current.program_id == program.pk:
            raise ValidationError({"program": "The patient is already in this program."})
        if on < current.started_on:
            raise ValidationError({"on": "The move cannot be before the current stay started."})
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    planned_end = (
        on + dt.timedelta(days=program.planned_max_days) if program.planned_max_days else None
    )
    return ProgramStay.objects.create(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode=episode,
        program=program,
        started_on=on,
        planned_end_on=planned_end,
    )


@transaction.atomic
def discharge(
    episode: Episode, *, on: dt.date, destination: str, aftercare_plan: str = ""
) -> Episode:
    if not episode.is_open:
        raise ValidationError("This episode of care has already been discharged.")
    if not destination:
        raise ValidationError({"discharge_destination": "A discharge needs a destination."})
    started = (
        episode.stays.filter(ended_on__isnull=True).values_list("started_on", flat=True).first()
    )
    if on < episode.admitted_on or (started is not None and on < started):
        raise ValidationError({"on": "The discharge cannot be before the current stay started."})
    episode.stays.filter(ended_on__isnull=True).update(ended_on=on)
    episode.discharged_on = on
    episode.discharge_destination = destination
    episode.aftercare_plan = aftercare_plan
    episode.full_clean()
    episode.save(update_fields=["discharged_on", "discharge_destination", "aftercare_plan"])
    return episode
