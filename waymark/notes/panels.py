"""What the notes app adds to the clinician's patient record (patients/panels.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.access import Capability, actor_for, can
from waymark.audit.models import AuditObject
from waymark.notes.services import notes_for
from waymark.patients.models import Patient
from waymark.patients.panels import RECORD, register_panel

RECENT_NOTES = 5


@register_panel(
    "notes",
    order=50,
    where={RECORD},
    template="notes/_patient_panel.html",
    lazy=True,
    audit_object=AuditObject.CLINICAL_NOTES,
    title="Clinical notes",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The latest notes (the record view has already audited the read)."""
    return {
        "patient": patient,
        "notes": list(notes_for(patient).prefetch_related("cosignatures__cosigner")[:RECENT_NOTES]),
        "can_write": can(actor_for(request), Capability.WRITE_NOTES),
    }
