"""Panels this app adds to pages other apps own (the patient's home, the patient record)."""

from __future__ import annotations

from typing import Any

from django import template

from waymark.patients.models import Patient

register = template.Library()


@register.inclusion_tag("questionnaires/_home_panel.html", takes_context=True)
def questionnaires_home_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown on the patient's own home page."""
    return {"patient": patient}


@register.inclusion_tag("questionnaires/_patient_panel.html", takes_context=True)
def questionnaires_patient_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown to clinicians on the patient record (the view has already audited the read)."""
    return {"patient": patient}
