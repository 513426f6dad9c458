"""Medication starts and stops on the patient timeline."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Q
from django.urls import reverse

from waymark.medications.models import Medication
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register


@register("medications")
def medication_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    zone = zoneinfo.ZoneInfo(patient.timezone)
    first_day = since.astimezone(zone).date()
    today = patient.local_today()
    medications = Medication.objects.filter(
        Q(started_on__gte=first_day) | Q(stopped_on__gte=first_day),
        organization_id=patient.organization_id,
        patient=patient,
    )
    url = reverse("medications:list", args=[patient.pk])

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=zone)

    events = []
    for medication in medications:
        detail = medication.prescribed_for_text()
        if medication.started_on and first_day <= medication.started_on <= today:
            title = f"Started {medication}".strip()
            events.append(
                TimelineEvent(at(medication.started_on), "medication", title, detail, url)
            )
        if medication.stopped_on and first_day <= medication.stopped_on <= today:
            title = f"Stopped {medication.name}"
            events.append(
                TimelineEvent(at(medication.stopped_on), "medication", title, detail, url)
            )
    return [event for event in events if event.at >= since]
