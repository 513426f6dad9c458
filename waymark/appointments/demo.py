"""Demo appointments: a week of them for each organization's first clinician, and one group
("IOP Monday/Wednesday/Friday") with a past session's attendance and its group note.

Future appointments go through the services (overlap checks and all); past ones are
history, stored as they would have been booked, and their outcomes recorded through the
service (a no-show raises its alert as in real use). A re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.access import Actor
from waymark.appointments import services
from waymark.appointments.groups import AttendanceData, GroupData, create_group, record_attendance
from waymark.appointments.models import (
    Appointment,
    AppointmentKind,
    AttendanceStatus,
    Group,
    Outcome,
)
from waymark.demo.registry import DemoContext, DemoOrganization, demo_step
from waymark.organizations.models import LevelOfCare, Membership, Role
from waymark.patients.models import Patient

GROUP_NAME = "IOP Monday/Wednesday/Friday"
# (days from today, hour, kind, outcome if past)
WEEK = (
    (-3, 10, AppointmentKind.INDIVIDUAL, Outcome.ATTENDED),
    (-2, 14, AppointmentKind.FAMILY, Outcome.ATTENDED),
    (-1, 11, AppointmentKind.INDIVIDUAL, Outcome.NO_SHOW),
    (1, 10, AppointmentKind.INDIVIDUAL, ""),
    (2, 15, AppointmentKind.FAMILY, ""),
    (3, 9, AppointmentKind.INDIVIDUAL, ""),
    (4, 16, AppointmentKind.INDIVIDUAL, ""),
)
NOTE = (
    "Topic: planning for the weekend. Each member named one risky situation and one thing "
    "they will do instead; the group practised saying no to an offer."
)
LINES = ("Named Friday evenings; plans to call her sister.", "Quiet today; joined the role play.",
         "Shared a plan for the family visit.")  # fmt: skip


def _clinician_actor(demo_org: DemoOrganization) -> Actor | None:
    if not demo_org.clinicians:
        return None
    user = demo_org.clinicians[0]
    membership = Membership.objects.filter(
        organization=demo_org.organization, user=user, role=Role.CLINICIAN
    ).first()
    return Actor(user=user, membership=membership) if membership else None


def _past(actor: Actor, patient: Patient, kind: str, at: dt.datetime, outcome: str) -> None:
    appointment = Appointment.objects.create(
        organization=patient.organization, kind=kind, patient=patient, clinician=actor.user,
        starts_at=at, minutes=50, place="Room 2", created_by=actor.user,
        with_others="Her mother" if kind == AppointmentKind.FAMILY else "",
    )  # fmt: skip
    services.record_outcome(actor, appointment, outcome)


def _week(ctx: DemoContext, actor: Actor, patients: list[Patient]) -> None:
    organization = actor.organization
    assert organization is not None
    now = timezone.now()
    for n, (days, hour, kind, outcome) in enumerate(WEEK):
        patient = patients[n % len(patients)]
        on = ctx.today + dt.timedelta(days=days)
        at = services.instant(organization, on, dt.time(hour, 0))
        if at <= now:
            _past(actor, patient, kind, at, outcome or Outcome.ATTENDED)
            continue
        video = "https://video.example.org/waymark-demo" if n % 2 else ""
        services.schedule_appointment(actor, patient, services.AppointmentData(
            kind=kind, on=on, at=dt.time(hour, 0), minutes=50, clinician_id=actor.user.pk,
            place="" if video else "Room 2", video_url=video,
            with_others="Her mother" if kind == AppointmentKind.FAMILY else "",
        ))  # fmt: skip


def _group(
    ctx: DemoContext, actor: Actor, demo_org: DemoOrganization, members: list[Patient]
) -> None:
    program = demo_org.programs.get(LevelOfCare.INTENSIVE_OUTPATIENT) or next(
        iter(demo_org.programs.values()), None
    )
    group = create_group(actor, GroupData(
        name=GROUP_NAME, facilitator_id=actor.user.pk, program_id=program.pk if program else None,
        member_ids=tuple(p.pk for p in members),
    ))  # fmt: skip
    start = services.instant(group.organization, ctx.today - dt.timedelta(days=2), dt.time(18))
    past = Appointment.objects.create(
        organization=group.organization, kind=AppointmentKind.GROUP, group=group,
        clinician=actor.user, starts_at=start, minutes=90, place="Group room",
        created_by=actor.user,
    )  # fmt: skip
    statuses = [AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.EXCUSED]
    record_attendance(actor, past, AttendanceData(
        statuses={str(p.pk): statuses[n % 3] for n, p in enumerate(members)}, note=NOTE,
        lines={str(p.pk): LINES[n % 3] for n, p in enumerate(members) if n % 3 != 2},
    ))  # fmt: skip
    services.schedule_group_session(actor, group, services.AppointmentData(
        kind=AppointmentKind.GROUP, on=ctx.today + dt.timedelta(days=2), at=dt.time(18),
        minutes=90, clinician_id=actor.user.pk, place="Group room",
    ))  # fmt: skip


@demo_step(order=720)
def seed_appointments(ctx: DemoContext) -> None:
    """A week of appointments and one group with a filed session, per organization."""
    in_care = {patient.pk for patient in ctx.patients_in_care()}
    todo = [
        demo_org for demo_org in ctx.organizations
        if not Group.objects.filter(organization=demo_org.organization, name=GROUP_NAME).exists()
    ]  # fmt: skip
    ctx.progress.expect(len(todo))
    for demo_org in todo:
        actor = _clinician_actor(demo_org)
        patients = [p for p in demo_org.patients if p.pk in in_care][:4]
        if actor is not None and patients:
            _week(ctx, actor, patients)
            _group(ctx, actor, demo_org, patients[:3])
        ctx.progress.advance()
