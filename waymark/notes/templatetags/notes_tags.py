"""Panels this app adds to the clinician's patient record."""

from __future__ import annotations

from typing import Any

from django import template

from waymark.notes.services import notes_for
from waymark.organizations.models import Role
from waymark.patients.models import Patient

register = template.Library()

RECENT_NOTES = 5


@register.inclusion_tag("notes/_patient_panel.html", takes_context=True)
def notes_patient_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown to clinicians on the patient record (the view has already audited the read)."""
    return {
        "patient": patient,
        "request": context.get("request"),
        "notes": list(notes_for(patient)[:RECENT_NOTES]),
        "can_write": context.get("role") == Role.CLINICIAN,
    }
