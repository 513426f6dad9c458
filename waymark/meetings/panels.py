"""The week's mutual-help meetings on the patient's home and on the clinician's record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.audit.models import AuditObject
from waymark.meetings.services import weekly_count
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, register_panel


@register_panel("meetings_home", order=30, where={HOME}, template="meetings/_home_panel.html")
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"weekly_count": weekly_count(patient)}


@register_panel(
    "meetings_record",
    order=70,
    where={RECORD},
    template="meetings/_record_panel.html",
    lazy=True,
    audit_object=AuditObject.MEETINGS,
    title="Mutual-help meetings",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The record view has already audited the read."""
    return {"weekly_count": weekly_count(patient)}
