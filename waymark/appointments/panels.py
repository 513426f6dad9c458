"""What the appointments app adds to the patient's home, the clinician's record and the
census (patients/panels.py, patients/hooks.py). Reads only."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from waymark.access import Capability, actor_for, can
from waymark.appointments import groups, services
from waymark.audit.models import AuditObject
from waymark.patients.hooks import register_census_section
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, ShownPanel, register_panel


@register_panel(
    "appointments_home", order=25, where={HOME}, template="appointments/_home_panel.html"
)
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The patient's next appointments, in their own time zone."""
    return {
        "upcoming": services.upcoming_for(patient)[:3],
        "zone": zoneinfo.ZoneInfo(patient.timezone),
    }


@register_panel(
    "appointments_record",
    order=45,
    where={RECORD},
    template="appointments/_record_panel.html",
    lazy=True,
    audit_object=AuditObject.APPOINTMENTS,
    title="Appointments",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Upcoming appointments and the latest group notes (the record view audited the read)."""
    now = timezone.now()
    return {
        "patient": patient,
        "upcoming": services.upcoming_for(patient, now)[:5],
        "group_notes": list(groups.notes_for(patient)[:3]),
        "zone": services.zone_of(patient.organization),
        "can_schedule": can(actor_for(request), Capability.SCHEDULE_APPOINTMENTS),
    }


@register_census_section("group_attendance")
def census_attendance(request: HttpRequest) -> ShownPanel | None:
    """Group attendance this week, per program (counts only: no names)."""
    actor = actor_for(request)
    if actor.organization is None:
        return None
    today = timezone.now().astimezone(services.zone_of(actor.organization)).date()
    rows = groups.attendance_this_week(actor, today)
    monday = today - dt.timedelta(days=today.weekday())
    return ShownPanel(
        "group_attendance",
        "appointments/_census_attendance.html",
        {"rows": rows, "monday": monday},
    )
