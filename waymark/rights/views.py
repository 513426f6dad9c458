"""The patient's downloads of their record, and an organization admin's page to close an
account, set a legal hold and erase a record after its retention period."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from waymark.access import (
    Actor,
    Capability,
    actor_for,
    capability_required,
    get_patient,
    own_patient_record,
)
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status
from waymark.patients.models import Patient
from waymark.rights import services
from waymark.rights.forms import EraseForm, LegalHoldForm

AdminForm = LegalHoldForm | EraseForm


def _download(data: dict[str, Any], content_type: str, filename: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _own_download(
    request: HttpRequest,
    build: Callable[[Actor, Patient], dict[str, Any]],
    content_type: str,
    kind: str,
) -> HttpResponse:
    """The signed-in patient's own record, built by `build`, as waymark-<kind>-<today>.json."""
    actor = actor_for(request)
    data = build(actor, own_patient_record(actor))
    return _download(data, content_type, f"waymark-{kind}-{timezone.localdate()}.json")


@never_cache  # Cache-Control: no-store: the whole record must not stay in any cache
@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def export_json(request: HttpRequest) -> HttpResponse:
    """Everything Waymark holds about me, in one JSON file (audited)."""
    return _own_download(request, services.download_record, "application/json", "record")


@never_cache
@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def export_fhir(request: HttpRequest) -> HttpResponse:
    """My record as a FHIR R4 Bundle (audited)."""
    return _own_download(request, services.download_fhir, "application/fhir+json", "fhir")


@never_cache
@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def patient_export_fhir(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """A patient's record as a FHIR R4 Bundle, for a clinician to take to another
    system (the record's "Export FHIR"; audited, another organization's patient 404)."""
    patient, data = services.clinician_download_fhir(actor_for(request), patient_id)
    filename = f"waymark-fhir-{patient.pk}-{timezone.localdate()}.json"
    return _download(data, "application/fhir+json", filename)


def _page(
    request: HttpRequest, patient: Patient, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    closure = services.closure_of(patient)
    context = {
        "patient": patient,
        "error": error,
        "closure": closure,
        "retention_ends_on": services.retention_ends_on(patient, closure) if closure else None,
        "hold_form": forms.get("hold_form") or LegalHoldForm(),
        "erase_form": forms.get("erase_form") or EraseForm(),
    }
    return render(request, "rights/manage.html", context, status=status)


def _admins_patient(request: HttpRequest, patient_id: uuid.UUID) -> Patient:
    return get_patient(actor_for(request), patient_id, object_type=AuditObject.ACCOUNT_CLOSURE)


@never_cache
@require_GET
@capability_required(Capability.ADMINISTER_ORGANIZATION)
def manage(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The account's state: open or closed, legal hold, when its record may be erased."""
    return _page(request, _admins_patient(request, patient_id))


def _refused(
    request: HttpRequest, patient: Patient, error: ServiceError, **forms: Any
) -> HttpResponse:
    """The page again, saying why (409: the record's state refuses; 422: the form)."""
    return _page(request, patient, status=error.status, error=error.message, **forms)


@require_POST
@capability_required(Capability.ADMINISTER_ORGANIZATION)
def close(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = _admins_patient(request, patient_id)
    try:
        services.close_account(actor_for(request), patient)
    except ServiceError as error:
        return _refused(request, patient, error)
    messages.success(request, "The account is closed: sign-in and devices stopped.")
    return redirect("rights:manage", patient_id=patient.pk)


def _posted_form(
    request: HttpRequest,
    patient_id: uuid.UUID,
    form_class: type[AdminForm],
    form_name: str,
    save: Callable[[Actor, Patient, AdminForm], None],
    done: str,
) -> HttpResponse:
    """An admin's form on the account page: check it, `save` it, say `done`; else the page
    again with the form (its status) or with the service's refusal on it."""
    patient = _admins_patient(request, patient_id)
    form = form_class(request.POST)
    on_page: dict[str, Any] = {form_name: form}
    if not form.is_valid():
        return _page(request, patient, status=form_status(form), **on_page)
    try:
        save(actor_for(request), patient, form)
    except ServiceError as error:
        form.add_service_error(error)
        return _refused(request, patient, error, **on_page)
    messages.success(request, done)
    return redirect("rights:manage", patient_id=patient.pk)


@require_POST
@capability_required(Capability.ADMINISTER_ORGANIZATION)
def legal_hold(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    def save(actor: Actor, patient: Patient, form: AdminForm) -> None:
        services.set_legal_hold(actor, patient, **form.cleaned_data)

    return _posted_form(request, patient_id, LegalHoldForm, "hold_form", save, "Legal hold saved.")


@require_POST
@capability_required(Capability.ADMINISTER_ORGANIZATION)
def erase(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    def save(actor: Actor, patient: Patient, form: AdminForm) -> None:
        services.erase_record(actor, patient)

    return _posted_form(request, patient_id, EraseForm, "erase_form", save, "The record is erased.")
