"""What the medications app adds to the clinician's patient record (patients/panels.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.access import Capability, actor_for, can
from waymark.audit.models import AuditObject
from waymark.medications.services import flags_for, medications_for
from waymark.patients.models import Patient
from waymark.patients.panels import RECORD, register_panel


@register_panel(
    "medications",
    order=40,
    where={RECORD},
    template="medications/_patient_panel.html",
    lazy=True,
    audit_object=AuditObject.MEDICATIONS,
    title="Medications",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Current medications and their safety flags (the record view has audited the read)."""
    medications = list(medications_for(patient))
    today = patient.local_today()
    return {
        "patient": patient,
        "current": [m for m in medications if m.is_current(today)],
        "flags": flags_for(patient, medications),
        "can_write": can(actor_for(request), Capability.RECORD_MEDICATIONS),
    }
