"""Panels this app adds to the clinician's patient record."""

from __future__ import annotations

from typing import Any

from django import template

from waymark.medications.services import flags_for, medications_for
from waymark.organizations.models import Role
from waymark.patients.models import Patient

register = template.Library()


@register.inclusion_tag("medications/_patient_panel.html", takes_context=True)
def medications_patient_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown to clinicians on the patient record (the view has already audited the read)."""
    medications = list(medications_for(patient))
    today = patient.local_today()
    return {
        "patient": patient,
        "request": context.get("request"),
        "current": [m for m in medications if m.is_current(today)],
        "flags": flags_for(patient, medications),
        "can_write": context.get("role") == Role.CLINICIAN,
    }
