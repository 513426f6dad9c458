"""A patient's medications and their safety flags; adding and changing them.

Clinicians and organization admins read; clinicians write. Reads are audited by the
access layer, writes by the services (with any alert, in the same transaction).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import actor_for, get_patient, role_required
from waymark.medications.errors import MedicationError
from waymark.medications.forms import MedicationForm
from waymark.medications.services import (
    MEDICATION,
    Saved,
    add_medication,
    flags_for,
    medication_for,
    medications_for,
    update_medication,
)
from waymark.medications.vocabulary import SUGGESTIONS
from waymark.organizations.models import Role

STAFF = (Role.CLINICIAN, Role.ADMIN)


def _saved_message(request: HttpRequest, saved: Saved) -> None:
    messages.success(request, f"{saved.medication.name} saved.")
    for alert in saved.alerts:
        messages.warning(request, f"Safety flag raised for the care team: {alert.reason}")


@require_GET
@role_required(*STAFF)
def medication_list(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type="medications")
    medications = list(medications_for(patient))
    today = patient.local_today()
    context = {
        "patient": patient,
        "current": [m for m in medications if m.is_current(today)],
        "stopped": [m for m in medications if not m.is_current(today)],
        "flags": flags_for(patient, medications),
        "can_write": actor.role == Role.CLINICIAN,
    }
    return render(request, "medications/list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.CLINICIAN)
def new_medication(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type="medications")
    form = MedicationForm(request.POST or None, patient=patient)
    if form.is_valid():
        try:
            saved = add_medication(actor, patient, form.to_data())
        except MedicationError as error:
            form.show_error(error)
        else:
            _saved_message(request, saved)
            return redirect("medications:list", patient_id=patient.pk)
    context = {"patient": patient, "form": form, "medication": None}
    return render(request, "medications/form.html", context | {"names": SUGGESTIONS})


@require_http_methods(["GET", "POST"])
@role_required(Role.CLINICIAN)
def edit_medication(
    request: HttpRequest, patient_id: uuid.UUID, medication_id: int
) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=MEDICATION, object_id=str(medication_id))
    medication = medication_for(patient, medication_id)
    form = MedicationForm(
        request.POST or None, patient=patient, initial=MedicationForm.initial_from(medication)
    )
    if form.is_valid():
        try:
            saved = update_medication(actor, medication, form.to_data())
        except MedicationError as error:
            form.show_error(error)
        else:
            _saved_message(request, saved)
            return redirect("medications:list", patient_id=patient.pk)
    context = {"patient": patient, "form": form, "medication": medication}
    return render(request, "medications/form.html", context | {"names": SUGGESTIONS})
