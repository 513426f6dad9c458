"""A patient's medications and their safety flags; adding and changing them.

Clinicians and organization admins read; clinicians write. Reads are audited by the
access layer, writes by the services (with any alert, in the same transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import Capability, actor_for, can, capability_required, get_patient
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status
from waymark.medications.forms import MedicationForm
from waymark.medications.models import Medication
from waymark.medications.services import (
    MEDICATION,
    MedicationData,
    Saved,
    add_medication,
    flags_for,
    medication_for,
    medications_for,
    update_medication,
)
from waymark.medications.vocabulary import SUGGESTIONS
from waymark.patients.models import Patient


def _saved_message(request: HttpRequest, saved: Saved) -> None:
    messages.success(request, f"{saved.medication.name} saved.")
    for alert in saved.alerts:
        messages.warning(request, f"Safety flag raised for the care team: {alert.reason}")


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def medication_list(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MEDICATIONS)
    medications = list(medications_for(patient))
    today = patient.local_today()
    context = {
        "patient": patient,
        "current": [m for m in medications if m.is_current(today)],
        "stopped": [m for m in medications if not m.is_current(today)],
        "flags": flags_for(patient, medications),
        "can_write": can(actor, Capability.RECORD_MEDICATIONS),
    }
    return render(request, "medications/list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RECORD_MEDICATIONS)
def new_medication(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MEDICATIONS)
    form = MedicationForm(request.POST or None, patient=patient)
    return _form_page(
        request, patient, form, None, lambda data: add_medication(actor, patient, data)
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RECORD_MEDICATIONS)
def edit_medication(
    request: HttpRequest, patient_id: uuid.UUID, medication_id: int
) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=MEDICATION, object_id=str(medication_id))
    medication = medication_for(patient, medication_id)
    form = MedicationForm(
        request.POST or None, patient=patient, initial=MedicationForm.initial_from(medication)
    )
    return _form_page(
        request, patient, form, medication, lambda data: update_medication(actor, medication, data)
    )


def _form_page(
    request: HttpRequest,
    patient: Patient,
    form: MedicationForm,
    medication: Medication | None,
    save: Callable[[MedicationData], Saved],
) -> HttpResponse:
    """Adding and changing a medication: save a valid form, else show it with its errors."""
    if form.is_valid():
        try:
            saved = save(form.to_data())
        except ServiceError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            form.add_service_error(error)
        else:
            _saved_message(request, saved)
            return redirect("medications:list", patient_id=patient.pk)
    context = {"patient": patient, "form": form, "medication": medication, "names": SUGGESTIONS}
    return render(request, "medications/form.html", context, status=form_status(form))
