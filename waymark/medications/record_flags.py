"""The medications app's key flags in the record header (patients/hooks.py, issue 16
point 2): the safety flags a current or planned medication is part of, by their titles."""

from __future__ import annotations

from waymark.medications.rules import raises_alert
from waymark.medications.services import flags_for
from waymark.patients.hooks import RecordFlag, register_record_flags
from waymark.patients.models import Patient


@register_record_flags("medications")
def medication_safety(patient: Patient) -> list[RecordFlag]:
    titles = {flag.rule.title: None for flag in flags_for(patient) if raises_alert(flag)}
    return [RecordFlag(f"Medication safety: {title}") for title in titles]
