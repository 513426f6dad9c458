"""/api/v1/patients/{patient_id}/notes: clinical notes, a thin layer over services.py.

Clinicians and organization admins read; clinicians write; only the author signs a
draft (403 otherwise, with the reason). Another organization's patient is a 404.
Every read and write is audited. Status codes: 201 created, 403 not allowed, 409 the
note's state forbids it (already signed, or an addendum to a draft), 422 invalid input
naming the field.

(No `from __future__ import annotations` here: ninja's `paginate` wraps the view, and
the wrapper cannot resolve string annotations such as "uuid.UUID".)
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from waymark.access import Capability, actor_for, get_patient, require
from waymark.audit.models import AuditObject
from waymark.errors import ErrorOut
from waymark.notes.models import (
    SECTION_MAX_LENGTH,
    ClinicalNote,
    NoteAddendum,
    NoteFormat,
    ServiceType,
)
from waymark.notes.services import (
    NOTE,
    NoteData,
    add_addendum,
    cosign_note,
    cosignature_of,
    create_note,
    note_for,
    notes_for,
    sign_note,
)
from waymark.pager import Pagination
from waymark.patients.models import Patient

router = Router(tags=["notes"])

SECTION_HELP = "Only the sections of the note's format: DAP data/assessment/plan; SOAP " + (
    "subjective/objective/assessment/plan."
)


class AddendumOut(Schema):
    id: int
    author: str
    text: str
    signed_at: dt.datetime

    @staticmethod
    def resolve_author(obj: NoteAddendum) -> str:
        return str(obj.author)


class NoteOut(Schema):
    id: int
    patient_id: uuid.UUID
    format: str
    author: str
    status: str = Field(description="draft or signed")
    created_at: dt.datetime
    updated_at: dt.datetime
    signed_at: dt.datetime | None
    session_at: dt.datetime | None
    duration_minutes: int | None
    service_type: str = Field(description="individual, group, family, case_management, crisis")
    answers_alert_id: int | None = Field(description="The alert this note answers.")
    needs_cosign: bool
    cosigned_by: str | None
    cosigned_at: dt.datetime | None
    sections: dict[str, str] = Field(description="The note's sections, in order.")
    addenda: list[AddendumOut]

    @staticmethod
    def resolve_cosigned_by(obj: ClinicalNote) -> str | None:
        cosignature = cosignature_of(obj) if obj.needs_cosign else None
        return str(cosignature.cosigner) if cosignature else None

    @staticmethod
    def resolve_cosigned_at(obj: ClinicalNote) -> dt.datetime | None:
        cosignature = cosignature_of(obj) if obj.needs_cosign else None
        return cosignature.signed_at if cosignature else None

    @staticmethod
    def resolve_author(obj: ClinicalNote) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_status(obj: ClinicalNote) -> str:
        return "signed" if obj.is_signed else "draft"

    @staticmethod
    def resolve_sections(obj: ClinicalNote) -> dict[str, str]:
        return {section.field: text for section, text in obj.sections()}

    @staticmethod
    def resolve_addenda(obj: ClinicalNote) -> list[NoteAddendum]:
        return list(obj.addenda.all())


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    format: NoteFormat
    subjective: str = Field("", max_length=SECTION_MAX_LENGTH, description=SECTION_HELP)
    objective: str = Field("", max_length=SECTION_MAX_LENGTH)
    data: str = Field("", max_length=SECTION_MAX_LENGTH)
    assessment: str = Field("", max_length=SECTION_MAX_LENGTH)
    plan: str = Field("", max_length=SECTION_MAX_LENGTH)
    sign: bool = Field(False, description="Sign at once (every section of the format needed).")
    session_at: dt.datetime | None = Field(
        None, description="When the session began, with its offset; not after today."
    )
    duration_minutes: int | None = Field(None, description="1 to 600.")
    service_type: ServiceType | None = None
    answers_alert_id: int | None = Field(
        None, description="An open alert of this patient; signing acknowledges it."
    )

    def to_data(self) -> NoteData:
        return NoteData(
            note_format=self.format,
            sections=self.model_dump(
                include={"subjective", "objective", "data", "assessment", "plan"}
            ),
            session_at=self.session_at,
            duration_minutes=self.duration_minutes,
            service_type=self.service_type or "",
            answers_alert_id=self.answers_alert_id,
            sign=self.sign,
        )


class AddendumIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=SECTION_MAX_LENGTH)


def _with_addenda(patient: Patient, note: ClinicalNote) -> ClinicalNote:
    return notes_for(patient).prefetch_related("addenda__author").get(pk=note.pk)


WRITE = {201: NoteOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "/patients/{patient_id}/notes",
    response=list[NoteOut],
    summary="A patient's clinical notes, newest first (clinicians and admins; audited)",
)
@paginate(Pagination)
def list_patient_notes(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.READ_NOTES)
    patient = get_patient(actor, patient_id, object_type=AuditObject.CLINICAL_NOTES)
    return notes_for(patient).prefetch_related("addenda__author")


@router.post(
    "/patients/{patient_id}/notes",
    response=WRITE,
    summary="Write a note as a draft, or signed at once (clinicians)",
)
def create_patient_note(request: HttpRequest, patient_id: uuid.UUID, payload: NoteIn) -> Any:
    actor = require(actor_for(request), Capability.WRITE_NOTES)
    patient = get_patient(actor, patient_id, object_type=AuditObject.CLINICAL_NOTES)
    note = create_note(actor, patient, payload.to_data())
    return Status(201, _with_addenda(patient, note))


@router.post(
    "/patients/{patient_id}/notes/{note_id}/sign",
    response={200: NoteOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Sign my draft as it stands; it can never change afterwards",
)
def sign_patient_note(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> Any:
    actor = require(actor_for(request), Capability.WRITE_NOTES)
    patient = get_patient(actor, patient_id, object_type=NOTE, object_id=str(note_id))
    note = sign_note(actor, note_for(patient, note_id))
    return Status(200, _with_addenda(patient, note))


@router.post(
    "/patients/{patient_id}/notes/{note_id}/cosign",
    response={200: NoteOut, 403: ErrorOut, 409: ErrorOut},
    summary="Co-sign a signed note that needs it (another clinician than its author, once)",
)
def cosign_patient_note(request: HttpRequest, patient_id: uuid.UUID, note_id: int) -> Any:
    actor = require(actor_for(request), Capability.WRITE_NOTES)
    patient = get_patient(actor, patient_id, object_type=NOTE, object_id=str(note_id))
    cosign_note(actor, note_for(patient, note_id))
    return Status(200, _with_addenda(patient, note_for(patient, note_id)))


@router.post(
    "/patients/{patient_id}/notes/{note_id}/addenda",
    response={201: AddendumOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Add a signed addendum (a correction) to a signed note",
)
def add_patient_note_addendum(
    request: HttpRequest, patient_id: uuid.UUID, note_id: int, payload: AddendumIn
) -> Any:
    actor = require(actor_for(request), Capability.WRITE_NOTES)
    patient = get_patient(actor, patient_id, object_type=NOTE, object_id=str(note_id))
    addendum = add_addendum(actor, note_for(patient, note_id), payload.text)
    return Status(201, addendum)
