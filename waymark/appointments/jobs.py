"""Appointment reminders, at each patient's chosen lead time, through the durable queue.

The scheduler enqueues `appointment_reminders_job` once a minute. A reminder goes out
once per patient, appointment and start time (a rescheduled appointment is reminded of
again), when the start is no further away than the patient's lead time (1 hour, 24 hours,
or none) and has not yet come. The words are neutral: no clinical word, ever.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from waymark.appointments.models import (
    Appointment,
    AppointmentPreference,
    AppointmentStatus,
    GroupMember,
    LeadTime,
)
from waymark.notifications import scheduler
from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.patients.models import Patient

LONGEST_LEAD = dt.timedelta(minutes=max(LeadTime.values))


def reminder_text(starts_at: dt.datetime, zone: zoneinfo.ZoneInfo, now: dt.datetime) -> str:
    """ "You have an appointment today/tomorrow/on Monday 3 December at 10:00"."""
    local, today = starts_at.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + dt.timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"on {local:%A} {local.day} {local:%B}"
    return f"You have an appointment {day} at {local:%H:%M}"


def _people(appointment: Appointment) -> list[Patient]:
    if appointment.patient is not None:
        return [appointment.patient]
    members = GroupMember.objects.filter(group=appointment.group).values("patient_id")
    return list(Patient.objects.filter(pk__in=members).select_related("organization", "user"))


def send_appointment_reminders(now: dt.datetime) -> int:
    soon = Appointment.objects.filter(
        status=AppointmentStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + LONGEST_LEAD
    ).select_related("patient__organization", "patient__user", "organization")
    sent = 0
    for appointment in soon:
        people = _people(appointment)
        leads = dict(
            AppointmentPreference.objects.filter(patient__in=people).values_list(
                "patient_id", "lead_minutes"
            )
        )
        for patient in people:
            lead = leads.get(patient.pk, LeadTime.ONE_DAY)
            if not lead or appointment.starts_at - now > dt.timedelta(minutes=lead):
                continue
            title = reminder_text(appointment.starts_at, zoneinfo.ZoneInfo(patient.timezone), now)
            message = Message(kind=Kind.APPOINTMENT_REMINDER, title=f"{title}.",
                              url=reverse("appointments:mine"))  # fmt: skip
            key = f"appointment:{appointment.pk}:{patient.pk}:{appointment.starts_at:%Y%m%d%H%M}"
            if notify(patient.organization, patient.user, message, dedupe_key=key,
                      patient=patient, now=now):  # fmt: skip
                sent += 1
    return sent


@task()
def appointment_reminders_job(minute: str) -> int:
    return send_appointment_reminders(max(dt.datetime.fromisoformat(minute), timezone.now()))


scheduler.register("appointment_reminders", appointment_reminders_job, every_minutes=1)
