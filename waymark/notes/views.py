"""Clinical notes for a patient: list, write (DAP or SOAP), sign, add addenda.

Clinicians and organization admins read notes; only clinicians write them, and only
the author changes or signs a draft. Every read and write is audited (the access
layer for reads, the services for writes). Patients and supporters never see notes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import Actor, Capability, actor_for, can, capability_required, get_patient
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status
from waymark.notes.forms import AddendumForm, NoteForm, format_from, initial_for
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.notes.services import (
    NOTE,
    add_addendum,
    addenda_for,
    check_editable,
    cosign_note,
    cosignature_of,
    create_note,
    note_for,
    notes_for,
    sign_note,
    update_draft,
)
from waymark.patients.models import Patient

NOTES_PAGE_SIZE = 20
SIGNED = "Note signed. It can no longer be changed; add an addendum to correct it."


def _refused(
    request: HttpRequest, patient: Patient, note: ClinicalNote | None, error: ServiceError
) -> HttpResponse:
    """A clear page saying why (403 not yours, 409 already signed); nothing was written."""
    context = {"patient": patient, "note": note, "message": error.message}
    return render(request, "notes/refused.html", context, status=error.status)


@require_GET
@capability_required(Capability.READ_NOTES)
def note_list(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.CLINICAL_NOTES)
    notes = (
        notes_for(patient)
        .prefetch_related("cosignatures__cosigner")
        .annotate(addenda_count=Count("addenda"))
    )
    page = Paginator(notes, NOTES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"patient": patient, "page": page, "can_write": can(actor, Capability.WRITE_NOTES)}
    return render(request, "notes/list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.WRITE_NOTES)
def new_note(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.CLINICAL_NOTES)
    note_format = format_from(request.POST.get("format") or request.GET.get("format"))
    form = NoteForm(request.POST or None, note_format=note_format, patient=patient)

    def save() -> ClinicalNote:
        return create_note(actor, patient, form.to_data())

    return _form_page(request, patient, None, form, note_format, save)


def _note(
    request: HttpRequest, patient_id: uuid.UUID, note_id: int
) -> tuple[Actor, Patient, ClinicalNote]:
    """The actor, the patient (audited, 404 across organizations) and their note."""
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=NOTE, object_id=str(note_id))
    return actor, patient, note_for(patient, note_id)


@require_GET
@capability_required(Capability.READ_NOTES)
def note_detail(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> HttpResponse:
    actor, patient, note = _note(request, patient_id, note_id)
    can_write = can(actor, Capability.WRITE_NOTES)
    context = _detail_context(actor, patient, note)
    context["addendum_form"] = AddendumForm() if can_write and note.is_signed else None
    return render(request, "notes/detail.html", context)


def _detail_context(actor: Actor, patient: Patient, note: ClinicalNote) -> dict[str, object]:
    is_author = can(actor, Capability.WRITE_NOTES) and note.author_id == actor.user.pk
    cosignature = cosignature_of(note) if note.needs_cosign else None
    return {
        "patient": patient,
        "note": note,
        "addenda": addenda_for(note),
        "is_author": is_author,
        "cosignature": cosignature,
        "may_cosign": note.needs_cosign and cosignature is None and not is_author,
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.WRITE_NOTES)
def edit_note(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> HttpResponse:
    actor, patient, note = _note(request, patient_id, note_id)
    try:
        check_editable(actor, note)
    except ServiceError as error:
        return _refused(request, patient, note, error)
    form = NoteForm(
        request.POST or None, note_format=note.format, patient=patient, initial=initial_for(note)
    )

    def save() -> ClinicalNote:
        data = form.to_data()
        return update_draft(actor, note, sections=data.sections, sign=data.sign, data=data)

    return _form_page(request, patient, note, form, note.format, save)


def _form_page(
    request: HttpRequest,
    patient: Patient,
    note: ClinicalNote | None,
    form: NoteForm,
    note_format: str,
    save: Callable[[], ClinicalNote],
) -> HttpResponse:
    """Writing a new note or a draft: save a valid form, else show it with its errors."""
    if form.is_valid():
        try:
            saved = save()
        except ServiceError as error:
            if error.status != 422:
                return _refused(request, patient, note, error)
            form.add_service_error(error)
        else:
            messages.success(request, SIGNED if saved.is_signed else "Draft saved.")
            return redirect("notes:detail", patient_id=patient.pk, note_id=saved.pk)
    context = {"patient": patient, "form": form, "note_format": note_format, "note": note}
    context |= {"formats": NoteFormat.choices} if note is None else {}
    return render(request, "notes/form.html", context, status=form_status(form))


@require_POST
@capability_required(Capability.WRITE_NOTES)
def sign(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> HttpResponse:
    actor, patient, note = _note(request, patient_id, note_id)
    try:
        sign_note(actor, note)
    except ServiceError as error:
        if error.status != 422:
            return _refused(request, patient, note, error)
        messages.error(request, error.message)
        return redirect("notes:edit", patient_id=patient.pk, note_id=note.pk)
    messages.success(request, SIGNED)
    return redirect("notes:detail", patient_id=patient.pk, note_id=note.pk)


@require_POST
@capability_required(Capability.WRITE_NOTES)
def addendum(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> HttpResponse:
    actor, patient, note = _note(request, patient_id, note_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            add_addendum(actor, note, form.cleaned_data["text"])
        except ServiceError as error:
            if error.status != 422:
                return _refused(request, patient, note, error)
            form.add_service_error(error)
        else:
            messages.success(request, "Addendum signed and added to the note.")
            return redirect("notes:detail", patient_id=patient.pk, note_id=note.pk)
    context = _detail_context(actor, patient, note) | {"addendum_form": form}
    return render(request, "notes/detail.html", context, status=422)


@require_POST
@capability_required(Capability.WRITE_NOTES)
def cosign(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> HttpResponse:
    actor, patient, note = _note(request, patient_id, note_id)
    try:
        cosign_note(actor, note)
    except ServiceError as error:
        return _refused(request, patient, note, error)
    messages.success(request, "Note co-signed.")
    return redirect("notes:detail", patient_id=patient.pk, note_id=note.pk)
