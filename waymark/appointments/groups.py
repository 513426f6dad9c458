"""Groups, their members, and a group session's attendance and note.

The facilitator records everyone's attendance and writes one group note in one form and
one transaction: an Attendance row per member, the GroupNote (signed as it is filed, and
immutable in the database), and a GroupNoteLine in each attendee's record with their own
short line. An absence (not excused) counts as a missed appointment (rules.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import (
    Capability,
    NotAllowed,
    audit_shown,
    one_of,
    require,
    visible_patients,
)
from waymark.appointments.models import (
    LINE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Appointment,
    AppointmentKind,
    Attendance,
    AttendanceStatus,
    Group,
    GroupMember,
    GroupNote,
    GroupNoteLine,
)
from waymark.appointments.services import clinicians_of, members_of, raise_missed, zone_of
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.organizations.models import Program
from waymark.patients.models import Patient

if TYPE_CHECKING:
    from waymark.access import Actor

NAME_MAX_LENGTH = 120


@dataclass(frozen=True)
class GroupData:
    name: str
    facilitator_id: int
    program_id: int | None = None
    member_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class AttendanceData:
    """Per member (patient id as text): a status; a short line for attendees; the note."""

    statuses: dict[str, str]
    note: str
    lines: dict[str, str] = field(default_factory=dict)


def groups_for(actor: Actor) -> QuerySet[Group]:
    return Group.objects.filter(organization=actor.organization).select_related(
        "facilitator", "program"
    )


def group_for(actor: Actor, group_id: int) -> Group:
    """One group of the actor's organization (another's: 404); its members' names are read,
    so the read is audited for each."""
    group = one_of(groups_for(actor), group_id, "No such group.")
    audit_shown(actor, members_of(group), object_type=AuditObject.GROUP_MEMBERS)
    return group


def _members(actor: Actor, member_ids: tuple[uuid.UUID, ...]) -> list[Patient]:
    found = list(visible_patients(actor).filter(pk__in=member_ids))
    if len(found) != len(set(member_ids)):
        raise ServiceError("Choose members among your organization's patients.", field="members")
    return found


def create_group(actor: Actor, data: GroupData) -> Group:
    require(actor, Capability.RUN_GROUPS)
    organization = actor.organization
    assert organization is not None
    name = " ".join(data.name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Give the group a name (under {NAME_MAX_LENGTH} characters).",
                           field="name")  # fmt: skip
    facilitator = clinicians_of(organization).filter(pk=data.facilitator_id).first()
    if facilitator is None:
        raise ServiceError("Choose a clinician of your organization.", field="facilitator")
    program = None
    if data.program_id is not None:
        program = Program.objects.filter(organization=organization, pk=data.program_id).first()
        if program is None:
            raise ServiceError("Choose one of your organization's programs.", field="program")
    members = _members(actor, data.member_ids)
    try:
        with transaction.atomic():
            group = Group.objects.create(
                organization=organization, name=name, facilitator=facilitator, program=program
            )
            add_members(actor, group, members)
    except IntegrityError:
        raise ServiceError("A group of that name exists already.", field="name") from None
    return group


def add_members(actor: Actor, group: Group, members: list[Patient]) -> None:
    with transaction.atomic():
        for patient in members:
            _, created = GroupMember.objects.get_or_create(
                organization=group.organization, group=group, patient=patient
            )
            if created:
                record(actor, AuditAction.CREATE, patient=patient,
                       object_type=AuditObject.GROUP_MEMBERS, object_id=str(group.pk))  # fmt: skip


def set_members(actor: Actor, group: Group, member_ids: tuple[uuid.UUID, ...]) -> None:
    """The group's members become exactly `member_ids` (the organization's patients only):
    joiners are added, leavers removed. Past attendance and filed group notes stay where
    they are; a leaver is simply not on the next session's register."""
    require(actor, Capability.RUN_GROUPS)
    wanted = _members(actor, member_ids)
    with transaction.atomic():
        add_members(actor, group, wanted)
        leaving = GroupMember.objects.filter(organization=group.organization, group=group).exclude(
            patient__in=wanted
        )
        for member in leaving.select_related("patient"):
            record(actor, AuditAction.DELETE, patient=member.patient,
                   object_type=AuditObject.GROUP_MEMBERS, object_id=str(group.pk))  # fmt: skip
        leaving.delete()


def _check(members: list[Patient], data: AttendanceData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    by_id = {str(p.pk): p for p in members}
    if (data.statuses.keys() | data.lines.keys()) - by_id.keys():
        errors["__all__"] = [
            "One of the people named is not a member of this group: nothing was saved."
        ]
    for key, patient in by_id.items():
        status = data.statuses.get(key, "")
        if status not in AttendanceStatus.values:
            errors[f"status_{key}"] = [f"Choose how {patient.preferred_name} attended."]
        line = data.lines.get(key, "").strip()
        if line and status not in (AttendanceStatus.ATTENDED, AttendanceStatus.LATE):
            errors[f"line_{key}"] = [f"{patient.preferred_name} was not there: leave this empty."]
        if len(line) > LINE_MAX_LENGTH:
            errors[f"line_{key}"] = [f"Keep this under {LINE_MAX_LENGTH} characters."]
    note = data.note.strip()
    if not note:
        errors["note"] = ["Write the group note (what the session covered)."]
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"Keep the note under {NOTE_MAX_LENGTH:,} characters."]
    return errors


def record_attendance(
    actor: Actor, session: Appointment, data: AttendanceData, *, now: dt.datetime | None = None
) -> GroupNote:
    """Everyone's attendance and the group note, filed into every attendee's record."""
    require(actor, Capability.RUN_GROUPS)
    now = now or timezone.now()
    group = session.group
    if session.kind != AppointmentKind.GROUP or group is None:
        raise Http404("No such group session.")
    if actor.user.pk not in (group.facilitator_id, session.clinician_id):
        raise NotAllowed("Only the group's facilitator records its attendance.")
    if session.is_cancelled or not session.has_started(now):
        raise ServiceError("Attendance can be recorded once the session has started.",
                           status=409, code="conflict")  # fmt: skip
    members = members_of(group)
    errors = _check(members, data)
    if errors:
        raise ServiceError(errors=errors)
    with transaction.atomic():
        Appointment.objects.select_for_update().get(pk=session.pk)
        if GroupNote.objects.filter(appointment=session).exists():
            raise ServiceError("Attendance and the note of this session are already filed.",
                               status=409, code="conflict")  # fmt: skip
        note = GroupNote.objects.create(
            organization=group.organization, appointment=session, author=actor.user,
            body=data.note.strip(), signed_at=now,
        )  # fmt: skip
        for patient in members:
            key = str(patient.pk)
            attendance = Attendance.objects.create(
                organization=group.organization, appointment=session, patient=patient,
                status=data.statuses[key], recorded_by=actor.user,
            )  # fmt: skip
            record(actor, AuditAction.CREATE, patient=patient,
                   object_type=AuditObject.GROUP_ATTENDANCE, object_id=str(session.pk))  # fmt: skip
            if attendance.was_there:
                GroupNoteLine.objects.create(
                    organization=group.organization, note=note, patient=patient,
                    line=data.lines.get(key, "").strip(),
                )  # fmt: skip
            elif attendance.status == AttendanceStatus.ABSENT:
                raise_missed(patient, session)
        return note


def notes_for(patient: Patient) -> QuerySet[GroupNoteLine]:
    """The group notes filed in the patient's record, newest first."""
    return (
        GroupNoteLine.objects.filter(patient=patient, note__organization_id=patient.organization_id)
        .select_related("note__appointment__group", "note__author")
        .order_by("-note__appointment__starts_at", "-pk")
    )


@dataclass(frozen=True)
class WeekAttendance:
    program: str
    sessions: int
    counts: dict[str, int]

    @property
    def there(self) -> int:
        return self.counts.get(AttendanceStatus.ATTENDED, 0) + self.counts.get(
            AttendanceStatus.LATE, 0
        )

    @property
    def recorded(self) -> int:
        return sum(self.counts.values())


def attendance_this_week(actor: Actor, today: dt.date) -> list[WeekAttendance]:
    """Per program, this week's (Monday to Sunday) group sessions and their attendance:
    counts only, no names."""
    organization = actor.organization
    assert organization is not None
    monday = today - dt.timedelta(days=today.weekday())
    zone = zone_of(organization)
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    sessions = Appointment.objects.filter(
        organization=organization, kind=AppointmentKind.GROUP, group__isnull=False,
        starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=7),
    ).exclude(status="cancelled").select_related("group__program")  # fmt: skip
    by_program: dict[str, tuple[int, Counter[str]]] = {}
    statuses = Counter(
        Attendance.objects.filter(appointment__in=sessions).values_list(
            "appointment__group__program__name", "status"
        )
    )
    for session in sessions:
        assert session.group is not None
        name = session.group.program.name if session.group.program else "No program"
        count, counter = by_program.get(name, (0, Counter()))
        by_program[name] = (count + 1, counter)
    for (program_name, status), n in statuses.items():
        by_program[program_name or "No program"][1][status] += n
    return [
        WeekAttendance(name, count, dict(counter))
        for name, (count, counter) in sorted(by_program.items())
    ]
