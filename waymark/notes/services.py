"""Workflows for clinical notes: draft, edit, sign, add an addendum.

Each runs in one transaction that also writes the audit entry, checks everything
before it writes anything, and raises `ServiceError` when it refuses. Callers pass a
patient they got through `waymark.access.get_patient`, so the organization and the
caseload scope are already checked; these functions check who may write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import Capability, require
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.notes.models import (
    SECTION_FIELDS,
    SECTION_MAX_LENGTH,
    SECTIONS,
    ClinicalNote,
    NoteAddendum,
    NoteFormat,
)
from waymark.patients.models import Patient

if TYPE_CHECKING:
    from waymark.access import Actor

NOTE = AuditObject.CLINICAL_NOTE
ADDENDUM = AuditObject.CLINICAL_NOTE_ADDENDUM


def notes_for(patient: Patient) -> QuerySet[ClinicalNote]:
    """The patient's notes, newest first (drafts included: the care team sees them marked)."""
    return (
        ClinicalNote.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def note_for(patient: Patient, note_id: int) -> ClinicalNote:
    """One of the patient's notes, or 404."""
    note = notes_for(patient).filter(pk=note_id).first()
    if note is None:
        raise Http404("No such note.")
    note.patient = patient  # the caller's copy, already checked by the access layer
    return note


def addenda_for(note: ClinicalNote) -> QuerySet[NoteAddendum]:
    return NoteAddendum.objects.filter(
        organization_id=note.organization_id, note=note
    ).select_related("author")


def _must_be_author(actor: Actor, note: ClinicalNote, doing: str) -> None:
    if note.author_id != actor.user.pk:
        instead = (
            "To correct it, add an addendum."
            if note.is_signed
            else "Ask them to finish it, or write a note of your own."
        )
        raise ServiceError(
            f"Only the author of this note, {note.author}, can {doing} it. {instead}",
            status=403,
            code="not_author",
        )


def _must_be_draft(note: ClinicalNote) -> None:
    if note.is_signed:
        raise ServiceError(
            "This note is signed and can no longer be changed. Add an addendum to correct it.",
            status=409,
            code="signed",
        )


def _clean_sections(note_format: str, sections: Mapping[str, str]) -> dict[str, str]:
    """The text of each section of `note_format`; anything else is refused."""
    if note_format not in NoteFormat.values:
        raise ServiceError("Choose DAP or SOAP.", field="format")
    allowed = {section.field for section in SECTIONS[note_format]}
    cleaned = dict.fromkeys(SECTION_FIELDS, "")
    for field, text in sections.items():
        if field not in SECTION_FIELDS:
            raise ServiceError(f"A note has no section called {field!r}.", field=field)
        text = (text or "").strip()
        if text and field not in allowed:
            raise ServiceError(f"A {note_format.upper()} note has no {field} section.", field=field)
        if len(text) > SECTION_MAX_LENGTH:
            raise ServiceError(
                f"Keep each section under {SECTION_MAX_LENGTH:,} characters "
                f"(this one has {len(text):,}).",
                field=field,
            )
        cleaned[field] = text
    return cleaned


def check_editable(actor: Actor, note: ClinicalNote) -> None:
    """Refuse (ServiceError) unless `actor` wrote this note and it is still a draft."""
    require(actor, Capability.WRITE_NOTES, patient=note.patient)
    _must_be_author(actor, note, "edit")
    _must_be_draft(note)


def _check_complete(note: ClinicalNote) -> None:
    """A note is signed with every section of its format written."""
    for section, text in note.sections():
        if not text.strip():
            raise ServiceError(
                f"Write the {section.label} section before signing "
                "(write “none” if there is nothing to record).",
                field=section.field,
            )


def _store(note: ClinicalNote) -> None:
    try:
        note.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ServiceError(" ".join(messages), field=field) from None
    note.save()


def start_note(
    actor: Actor,
    patient: Patient,
    *,
    note_format: str,
    sections: Mapping[str, str],
    sign: bool = False,
) -> ClinicalNote:
    """A new draft by `actor`, signed at once when `sign` (then every section is needed)."""
    require(actor, Capability.WRITE_NOTES, patient=patient)
    cleaned = _clean_sections(note_format, sections)
    if not any(cleaned.values()):
        raise ServiceError("Write at least one section before saving the note.")
    note = ClinicalNote(
        organization_id=patient.organization_id,
        patient=patient,
        author=actor.user,
        format=note_format,
        **cleaned,
    )
    if sign:
        _check_complete(note)
        note.signed_at = timezone.now()
    with transaction.atomic():
        _store(note)
        record(actor, AuditAction.CREATE, patient=patient, object_type=NOTE, object_id=str(note.pk))
    return note


def _locked_draft(actor: Actor, note: ClinicalNote, verb: str) -> ClinicalNote:
    """The note locked for this transaction, refused unless it is the actor's own draft."""
    locked = ClinicalNote.objects.select_for_update().select_related("author").get(pk=note.pk)
    _must_be_author(actor, locked, verb)
    _must_be_draft(locked)
    return locked


def update_draft(
    actor: Actor, note: ClinicalNote, *, sections: Mapping[str, str], sign: bool = False
) -> ClinicalNote:
    """Change the author's own draft, and sign it when `sign`."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    with transaction.atomic():
        locked = _locked_draft(actor, note, "change")
        for field, text in _clean_sections(locked.format, sections).items():
            setattr(locked, field, text)
        if sign:
            _check_complete(locked)
            locked.signed_at = timezone.now()
        _store(locked)
        record(actor, AuditAction.UPDATE, patient=patient, object_type=NOTE, object_id=str(note.pk))
    return locked


def sign_note(actor: Actor, note: ClinicalNote) -> ClinicalNote:
    """Sign the author's own draft as it stands. Nothing is written if it is refused."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    with transaction.atomic():
        locked = _locked_draft(actor, note, "sign")
        _check_complete(locked)
        locked.signed_at = timezone.now()
        locked.save(update_fields=["signed_at", "updated_at"])
        record(actor, AuditAction.UPDATE, patient=patient, object_type=NOTE, object_id=str(note.pk))
    return locked


def add_addendum(actor: Actor, note: ClinicalNote, text: str) -> NoteAddendum:
    """A signed correction or addition to a signed note, by any clinician of the care team."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    text = (text or "").strip()
    if not text:
        raise ServiceError("Write the addendum.", field="text")
    if len(text) > SECTION_MAX_LENGTH:
        raise ServiceError(
            f"Keep an addendum under {SECTION_MAX_LENGTH:,} characters (this one has "
            f"{len(text):,}).",
            field="text",
        )
    with transaction.atomic():
        locked = ClinicalNote.objects.select_for_update().get(pk=note.pk)
        if not locked.is_signed:
            raise ServiceError(
                "This note is still a draft: its author changes it directly. Addenda are for "
                "signed notes.",
                status=409,
                code="draft",
            )
        addendum = NoteAddendum.objects.create(
            organization_id=note.organization_id,
            patient=patient,
            note=locked,
            author=actor.user,
            text=text,
            signed_at=timezone.now(),
        )
        record(
            actor,
            AuditAction.CREATE,
            patient=patient,
            object_type=ADDENDUM,
            object_id=str(addendum.pk),
        )
    return addendum
