"""Demo patients, with their episode histories replayed through patients.services."""

from __future__ import annotations

import datetime as dt

from waymark.demo.histories import EpisodePlan, PatientPlan, plan_patients
from waymark.demo.registry import DemoContext, DemoOrganization, demo_step
from waymark.demo.steps.organizations import DEMO_ORGANIZATIONS, Person, ensure_user
from waymark.patients.models import DischargeDestination, Patient
from waymark.patients.services import (
    admit,
    assign_clinician,
    discharge,
    enroll_patient,
    move_to_program,
)

FOLLOW_UP_DAYS = 7
AFTERCARE: dict[str, str] = {
    DischargeDestination.HOME: "Outpatient group Tuesdays and Thursdays; SMART Recovery weekly.",
    DischargeDestination.STEP_DOWN: "Recovery housing with weekly key-worker sessions.",
    DischargeDestination.OTHER_PROVIDER: "Referred on with a warm handover call booked.",
}


def replay_episode(demo_org: DemoOrganization, patient: Patient, plan: EpisodePlan) -> None:
    """Admit, move between programs and discharge on the planned days, as staff would have."""
    first, *moves = plan.stays
    episode = admit(patient, demo_org.programs[first.level], on=first.started_on)
    for stay in moves:
        move_to_program(episode, demo_org.programs[stay.level], on=stay.started_on)
    if plan.discharged_on is not None:
        discharge(
            episode,
            on=plan.discharged_on,
            destination=plan.destination,
            aftercare_plan=AFTERCARE.get(plan.destination, ""),
        )
        if not episode.aftercare_plan:
            episode.no_aftercare_reason = "Left before a plan could be agreed."
        # Staff set a follow-up a week out; the watch after discharge checks it was kept.
        episode.follow_up_on = plan.discharged_on + dt.timedelta(days=FOLLOW_UP_DAYS)
        episode.save(update_fields=["no_aftercare_reason", "follow_up_on"])


def create_patient(demo_org: DemoOrganization, plan: PatientPlan) -> Patient:
    user = ensure_user(Person(plan.username, plan.first_name, plan.last_name))
    patient = enroll_patient(
        demo_org.organization,
        user,
        preferred_name=plan.preferred_name,
        date_of_birth=plan.date_of_birth,
        substances=list(plan.substances),
        recovery_start_date=plan.recovery_start_date,
    )
    for episode in plan.episodes:
        replay_episode(demo_org, patient, episode)
    clinicians = demo_org.clinicians
    primary = clinicians[plan.primary_clinician]
    assign_clinician(patient, primary, primary=True)
    if plan.second_clinician:
        other = clinicians[(plan.primary_clinician + 1) % len(clinicians)]
        assign_clinician(patient, other)
    return patient


def _existing(demo_org: DemoOrganization, plans: list[PatientPlan]) -> dict[str, Patient]:
    patients = Patient.objects.filter(
        organization=demo_org.organization, user__username__in=[plan.username for plan in plans]
    ).select_related("user")
    return {patient.user.username: patient for patient in patients}


@demo_step(order=300)
def seed_patients(ctx: DemoContext) -> None:
    """Patients at every stage; one already there (same username) is left as it is."""
    planned = [
        (
            demo_org := ctx.organization(spec.slug),
            plan_patients(
                ctx.rng, spec.stages, spec.first_names, ctx.today, len(demo_org.clinicians)
            ),
        )
        for spec in DEMO_ORGANIZATIONS
    ]
    ctx.progress.expect(sum(len(plans) for _, plans in planned))
    for demo_org, plans in planned:
        existing = _existing(demo_org, plans)
        for plan in plans:
            demo_org.patients.append(existing.get(plan.username) or create_patient(demo_org, plan))
            ctx.progress.advance()
