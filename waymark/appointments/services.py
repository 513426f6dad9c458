"""Appointments: schedule, reschedule, cancel, record the outcome; what each person sees.

Each workflow runs in one transaction with its audit entry and raises the one domain error
(`ServiceError`) naming the field at fault. Dates and times are entered in the
organization's time zone. Two scheduled appointments of one clinician may not overlap: the
clinician's membership row is locked while checking, so two requests cannot both pass.
A no-show (or an absence from a group session, groups.py) raises the missed-appointment
rule (rules.py) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import Capability, NotAllowed, one_of, require, roles_with, visible_patients
from waymark.accounts.models import User
from waymark.appointments.models import (
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    WITH_MAX_LENGTH,
    Appointment,
    AppointmentChange,
    AppointmentKind,
    AppointmentStatus,
    Attendance,
    AttendanceStatus,
    ChangeKind,
    Group,
    GroupNote,
    Outcome,
)
from waymark.appointments.rules import missed_flag
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.organizations.models import Membership, Organization
from waymark.patients.hooks import watch_days
from waymark.patients.models import Episode, Patient
from waymark.patients.watch import watch_day

if TYPE_CHECKING:
    from waymark.access import Actor

MIN_MINUTES, MAX_MINUTES = 5, 480
BOOK_AHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class AppointmentData:
    kind: str
    on: dt.date
    at: dt.time
    minutes: int
    clinician_id: int
    place: str = ""
    video_url: str = ""
    with_others: str = ""


def zone_of(organization: Organization) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(organization.timezone)


def instant(organization: Organization, on: dt.date, at: dt.time) -> dt.datetime:
    """`on` at `at` in the organization's time zone (a repeated wall time: the first)."""
    return dt.datetime.combine(on, at, tzinfo=zone_of(organization)).astimezone(dt.UTC)


def clinicians_of(organization: Organization) -> QuerySet[User]:
    """Who may run an appointment: the organization's active clinicians."""
    return User.objects.filter(
        is_active=True,
        memberships__organization=organization,
        memberships__is_active=True,
        memberships__role__in=roles_with(Capability.SCHEDULE_APPOINTMENTS),
    ).order_by("first_name", "username")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_text(data: AppointmentData, errors: dict[str, list[str]]) -> None:
    if not MIN_MINUTES <= data.minutes <= MAX_MINUTES:
        _add(errors, "minutes", f"Choose a length from {MIN_MINUTES} to {MAX_MINUTES} minutes.")
    if not data.place.strip() and not data.video_url.strip():
        _add(errors, "place", "Give the place, or a video link for a session online.")
    if len(data.place) > PLACE_MAX_LENGTH:
        _add(errors, "place", f"Keep the place under {PLACE_MAX_LENGTH} characters.")
    if len(data.with_others) > WITH_MAX_LENGTH:
        _add(errors, "with_others", f"Keep this under {WITH_MAX_LENGTH} characters.")
    if data.video_url and not data.video_url.startswith("https://"):
        _add(errors, "video_url", "Give the video link in full, starting with https://.")


def _overlapping(
    clinician: User, start: dt.datetime, minutes: int, exclude_id: int | None
) -> Appointment | None:
    end = start + dt.timedelta(minutes=minutes)
    window = Appointment.objects.filter(
        clinician=clinician,
        status=AppointmentStatus.SCHEDULED,
        starts_at__lt=end,
        starts_at__gt=start - dt.timedelta(minutes=MAX_MINUTES),
    )
    if exclude_id is not None:
        window = window.exclude(pk=exclude_id)
    return next((a for a in window if a.ends_at > start), None)


def check_time(
    organization: Organization,
    clinician: User,
    start: dt.datetime,
    minutes: int,
    *,
    exclude_id: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Refuse a time in the past, too far ahead, or overlapping the clinician's others."""
    now = now or timezone.now()
    if start <= now:
        raise ServiceError("This date and time has already passed: choose a later one.", field="on")
    if start > now + BOOK_AHEAD:
        raise ServiceError("This is more than a year ahead: check the year.", field="on")
    other = _overlapping(clinician, start, minutes, exclude_id)
    if other is not None:
        zone = zone_of(organization)
        begins, ends = other.starts_at.astimezone(zone), other.ends_at.astimezone(zone)
        raise ServiceError(
            f"{clinician.get_full_name() or clinician.username} already has an appointment "
            f"from {begins:%H:%M} to {ends:%H:%M} on {begins:%d %b %Y}: choose another time.",
            field="at",
        )


def _lock_clinician(organization: Organization, clinician_id: int) -> User:
    """The clinician, with their membership locked until the transaction ends."""
    clinician = clinicians_of(organization).filter(pk=clinician_id).first()
    if clinician is None:
        raise ServiceError("Choose a clinician of your organization.", field="clinician")
    list(
        Membership.objects.select_for_update().filter(
            organization=organization, user=clinician, is_active=True
        )
    )
    return clinician


def _create(
    actor: Actor, data: AppointmentData, *, patient: Patient | None, group: Group | None
) -> Appointment:
    organization = patient.organization if patient else group.organization  # type: ignore[union-attr]
    errors: dict[str, list[str]] = {}
    _check_text(data, errors)
    if errors:
        raise ServiceError(errors=errors)
    with transaction.atomic():
        clinician = _lock_clinician(organization, data.clinician_id)
        start = instant(organization, data.on, data.at)
        check_time(organization, clinician, start, data.minutes)
        appointment = Appointment.objects.create(
            organization=organization, kind=data.kind, patient=patient, group=group,
            clinician=clinician, starts_at=start, minutes=data.minutes,
            place=data.place.strip(), video_url=data.video_url.strip(),
            with_others=data.with_others.strip(), created_by=actor.user,
        )  # fmt: skip
        for member in [patient] if patient else members_of(appointment.group):  # type: ignore[arg-type]
            record(actor, AuditAction.CREATE, patient=member, object_type=AuditObject.APPOINTMENT,
                   object_id=str(appointment.pk))  # fmt: skip
        return appointment


def schedule_appointment(actor: Actor, patient: Patient, data: AppointmentData) -> Appointment:
    """An individual or family session for `patient`."""
    require(actor, Capability.SCHEDULE_APPOINTMENTS, patient=patient)
    if data.kind not in (AppointmentKind.INDIVIDUAL, AppointmentKind.FAMILY):
        raise ServiceError("Choose an individual or a family session.", field="kind")
    return _create(actor, data, patient=patient, group=None)


def schedule_group_session(actor: Actor, group: Group, data: AppointmentData) -> Appointment:
    require(actor, Capability.RUN_GROUPS)
    if actor.organization != group.organization:
        raise Http404("No such group.")
    data = AppointmentData(**{**data.__dict__, "kind": AppointmentKind.GROUP})
    return _create(actor, data, patient=None, group=group)


def members_of(group: Group) -> list[Patient]:
    return list(
        Patient.objects.filter(
            organization_id=group.organization_id, pk__in=group.members.values("patient_id")
        ).order_by("preferred_name", "pk")
    )


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("Give the reason (it is kept with the appointment).", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(f"Keep the reason under {REASON_MAX_LENGTH} characters.", field="reason")
    return reason


def _locked_scheduled(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.is_cancelled:
        raise ServiceError("This appointment was cancelled.", status=409, code="conflict")
    return locked


def _audit_change(actor: Actor, appointment: Appointment) -> None:
    people = [appointment.patient] if appointment.patient else members_of(appointment.group)  # type: ignore[arg-type]
    for person in people:
        record(actor, AuditAction.UPDATE, patient=person, object_type=AuditObject.APPOINTMENT,
               object_id=str(appointment.pk))  # fmt: skip


def reschedule(
    actor: Actor, appointment: Appointment, on: dt.date, at: dt.time, reason: str
) -> Appointment:
    require(actor, Capability.SCHEDULE_APPOINTMENTS)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked_scheduled(appointment)
        if locked.outcome or GroupNote.objects.filter(appointment=locked).exists():
            raise ServiceError(
                "Its outcome is recorded: it cannot move.", status=409, code="conflict"
            )
        clinician = _lock_clinician(locked.organization, locked.clinician_id)
        start = instant(locked.organization, on, at)
        check_time(locked.organization, clinician, start, locked.minutes, exclude_id=locked.pk)
        AppointmentChange.objects.create(
            organization=locked.organization, appointment=locked, kind=ChangeKind.RESCHEDULED,
            reason=reason, old_starts_at=locked.starts_at, new_starts_at=start, by=actor.user,
        )  # fmt: skip
        locked.starts_at = start
        locked.save(update_fields=["starts_at"])
        _audit_change(actor, locked)
        return locked


def cancel(actor: Actor, appointment: Appointment, reason: str) -> Appointment:
    require(actor, Capability.SCHEDULE_APPOINTMENTS)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked_scheduled(appointment)
        if locked.outcome or GroupNote.objects.filter(appointment=locked).exists():
            raise ServiceError("Its outcome is recorded: it cannot be cancelled.", status=409,
                               code="conflict")  # fmt: skip
        AppointmentChange.objects.create(
            organization=locked.organization, appointment=locked, kind=ChangeKind.CANCELLED,
            reason=reason, old_starts_at=locked.starts_at, by=actor.user,
        )  # fmt: skip
        locked.status = AppointmentStatus.CANCELLED
        locked.save(update_fields=["status"])
        _audit_change(actor, locked)
        return locked


def record_outcome(
    actor: Actor, appointment: Appointment, outcome: str, *, now: dt.datetime | None = None
) -> Appointment:
    """Attended, cancelled late or did not attend: only once the start time has passed."""
    require(actor, Capability.SCHEDULE_APPOINTMENTS)
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise ServiceError("Choose an outcome from the list.", field="outcome")
    if appointment.kind == AppointmentKind.GROUP:
        raise ServiceError("A group session's attendance is recorded per member.", field="outcome")
    with transaction.atomic():
        locked = _locked_scheduled(appointment)
        if not locked.has_started(now):
            raise ServiceError("The outcome can be recorded once the start time has passed.",
                               field="outcome")  # fmt: skip
        if locked.outcome:
            raise ServiceError("The outcome is already recorded.", status=409, code="conflict")
        locked.outcome, locked.outcome_recorded_at = outcome, now
        locked.save(update_fields=["outcome", "outcome_recorded_at"])
        assert locked.patient is not None
        _audit_change(actor, locked)
        if outcome == Outcome.NO_SHOW:
            raise_missed(locked.patient, locked)
        return locked


# --- The missed-appointment rule --------------------------------------------------------


def missed_in_a_row(patient: Patient) -> int:
    """How many of the patient's most recent recorded appointments were missed in a row."""
    own = Appointment.objects.filter(patient=patient).exclude(outcome="")
    rows = [(a.starts_at, a.outcome == Outcome.NO_SHOW) for a in own.order_by("-starts_at")[:10]]
    group = Attendance.objects.filter(patient=patient).select_related("appointment")
    rows += [
        (a.appointment.starts_at, a.status == AttendanceStatus.ABSENT)
        for a in group.order_by("-appointment__starts_at")[:10]
        if a.status != AttendanceStatus.EXCUSED
    ]
    count = 0
    for _, missed in sorted(rows, key=lambda row: row[0], reverse=True):
        if not missed:
            break
        count += 1
    return count


def in_watch_after_discharge(patient: Patient) -> bool:
    """Whether today is in the watch after the patient's latest discharge (not back in care)."""
    episodes = Episode.objects.filter(patient=patient)
    if episodes.filter(discharged_on__isnull=True).exists():
        return False
    last = episodes.exclude(discharged_on=None).order_by("-discharged_on", "-pk").first()
    if last is None or last.discharged_on is None:
        return False
    window = watch_days(patient.organization_id)
    return (
        watch_day(last.discharged_on, last.follow_up_on, patient.local_today(), window) is not None
    )


def raise_missed(patient: Patient, appointment: Appointment) -> None:
    """Raise the missed-appointment rule for `patient` (inside the caller's transaction)."""
    from waymark.risk.services import raise_flags

    when = appointment.starts_at.astimezone(zone_of(appointment.organization))
    flag = missed_flag(
        appointment.pk,
        f"{when:%d %b %Y at %H:%M}",
        in_a_row=missed_in_a_row(patient),
        after_discharge=in_watch_after_discharge(patient),
    )
    raise_flags(patient, [flag])


# --- Reads ------------------------------------------------------------------------------


def for_patient(patient: Patient) -> QuerySet[Appointment]:
    """The patient's own appointments and their groups' sessions, soonest first."""
    groups = Group.objects.filter(members__patient=patient).values("pk")
    return (
        Appointment.objects.filter(organization_id=patient.organization_id)
        .filter(Q(patient=patient) | Q(group__in=groups))
        .select_related("clinician", "group", "organization")
        .order_by("starts_at", "pk")
    )


def upcoming_for(patient: Patient, now: dt.datetime | None = None) -> list[Appointment]:
    now = now or timezone.now()
    return list(
        for_patient(patient).filter(
            status=AppointmentStatus.SCHEDULED, starts_at__gte=now - dt.timedelta(hours=1)
        )
    )


def own_appointment(patient: Patient, appointment_id: int) -> Appointment:
    return one_of(for_patient(patient), appointment_id, "No such appointment.")


def staff_appointment(actor: Actor, appointment_id: int) -> Appointment:
    """One appointment of the actor's organization whose patient they may see, or 404; the
    read is audited for its patient (every member, for a group session)."""
    organization = actor.organization
    found = (
        Appointment.objects.filter(organization=organization, pk=appointment_id)
        .select_related("patient", "group", "clinician", "organization")
        .first()
    )
    if found is None or organization is None:
        raise Http404("No such appointment.")
    if found.patient is not None:
        if not visible_patients(actor).filter(pk=found.patient.pk).exists():
            raise Http404("No such appointment.")
        record(actor, AuditAction.VIEW, patient=found.patient, object_type=AuditObject.APPOINTMENT,
               object_id=str(found.pk))  # fmt: skip
    else:
        assert found.group is not None
        for member in members_of(found.group):
            record(actor, AuditAction.VIEW, patient=member,
                   object_type=AuditObject.GROUP_ATTENDANCE, object_id=str(found.pk))  # fmt: skip
    return found


def week_of(actor: Actor, clinician: User, first_day: dt.date) -> list[Appointment]:
    """The clinician's appointments in the seven days from `first_day` (organization's days)."""
    organization = actor.organization
    if organization is None:
        raise NotAllowed("This page is for an organization's staff.")
    start = instant(organization, first_day, dt.time.min)
    end = instant(organization, first_day + dt.timedelta(days=7), dt.time.min)
    return list(
        Appointment.objects.filter(
            organization=organization, clinician=clinician, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("patient", "group")
        .order_by("starts_at", "pk")
    )
