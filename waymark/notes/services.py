"""Workflows for clinical notes: draft, edit, sign, add an addendum.

Each runs in one transaction that also writes the audit entry, checks everything
before it writes anything, and raises `ServiceError` when it refuses. Callers pass a
patient they got through `waymark.access.get_patient`, so the organization and the
caseload scope are already checked; these functions check who may write.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from waymark.access import Capability, can, one_of, require
from waymark.alerts import services as alert_services
from waymark.alerts.models import Alert, AlertStatus
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.notes.models import (
    DURATION_MAX,
    DURATION_MIN,
    SECTION_FIELDS,
    SECTION_MAX_LENGTH,
    SECTIONS,
    ClinicalNote,
    CosignRequirement,
    NoteAddendum,
    NoteCosignature,
    NoteFormat,
    ServiceType,
)
from waymark.organizations.models import Membership, Role
from waymark.patients.models import Patient

if TYPE_CHECKING:
    from waymark.access import Actor

NOTE = AuditObject.CLINICAL_NOTE
ADDENDUM = AuditObject.CLINICAL_NOTE_ADDENDUM


@dataclass(frozen=True)
class NoteData:
    """A note as written, from the form or the API (`to_data()`): its sections and the
    session it is about. `session_at` is aware (the form reads it in the organization's
    zone); `answers_alert_id` is an open alert of the same patient, acknowledged when the
    note is signed."""

    note_format: str
    sections: Mapping[str, str] = dataclass_field(default_factory=dict)
    session_at: dt.datetime | None = None
    duration_minutes: int | None = None
    service_type: str = ""
    answers_alert_id: int | None = None
    sign: bool = False


def organization_zone(patient: Patient) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(patient.organization.timezone)


def check_session(
    patient: Patient, session_at: dt.datetime | None, duration_minutes: int | None
) -> None:
    """Refuse a session after today (in the organization's zone) or a duration outside
    1–600 minutes, naming the field."""
    if session_at is not None:
        zone = organization_zone(patient)
        if timezone.is_naive(session_at):
            raise ServiceError("Give the session's time with its time zone.", field="session_at")
        today = timezone.now().astimezone(zone).date()
        if session_at.astimezone(zone).date() > today:
            raise ServiceError(
                f"The session date cannot be after today ({today:%-d %b %Y}).", field="session_at"
            )
    if duration_minutes is not None and not DURATION_MIN <= duration_minutes <= DURATION_MAX:
        raise ServiceError(
            f"Give the duration in minutes, from {DURATION_MIN} to {DURATION_MAX}.",
            field="duration_minutes",
        )


def answerable_alerts(patient: Patient) -> QuerySet[Alert]:
    """The patient's open alerts a note can answer, most severe first."""
    return Alert.objects.filter(
        organization_id=patient.organization_id, patient=patient, status=AlertStatus.OPEN
    ).order_by("-severity", "-last_seen_at")


def _answerable_alert(
    actor: Actor, patient: Patient, alert_id: int | None, kept: int | None
) -> Alert | None:
    """The open alert of this patient the note answers (or the one a draft already
    answers, `kept`, even if someone has acknowledged it since)."""
    if alert_id is None:
        return None
    alerts = answerable_alerts(patient)
    if alert_id == kept:
        alerts = Alert.objects.filter(organization_id=patient.organization_id, patient=patient)
    alert = alerts.filter(pk=alert_id).first()
    if alert is None:  # another patient's, another organization's, or no longer open
        raise ServiceError("Choose one of this patient's open alerts.", field="answers_alert")
    if not can(actor, Capability.ACT_ON_ALERTS):
        raise ServiceError("You cannot acknowledge alerts.", field="answers_alert")
    return alert


def _clean_details(
    actor: Actor, patient: Patient, data: NoteData, kept_alert: int | None = None
) -> dict[str, object]:
    check_session(patient, data.session_at, data.duration_minutes)
    if data.service_type and data.service_type not in ServiceType.values:
        raise ServiceError("Choose a service type from the list.", field="service_type")
    return {
        "session_at": data.session_at,
        "duration_minutes": data.duration_minutes,
        "service_type": data.service_type,
        "answers_alert": _answerable_alert(actor, patient, data.answers_alert_id, kept_alert),
    }


def notes_for(patient: Patient) -> QuerySet[ClinicalNote]:
    """The patient's notes, newest first (drafts included: the care team sees them marked)."""
    return (
        ClinicalNote.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("author", "answers_alert")
        .order_by("-created_at", "-id")
    )


def note_for(patient: Patient, note_id: int) -> ClinicalNote:
    """One of the patient's notes, or 404."""
    note = one_of(notes_for(patient), note_id, "No such note.")
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


def needs_cosign(note: ClinicalNote) -> bool:
    """Whether the organization asks a supervisor to co-sign this author's notes."""
    return CosignRequirement.objects.filter(
        Q(clinician__isnull=True) | Q(clinician_id=note.author_id),
        organization_id=note.organization_id,
    ).exists()


def _sign(actor: Actor, note: ClinicalNote) -> None:
    """Mark `note` signed (the caller saves it) and acknowledge the alert it answers."""
    _check_complete(note)
    note.signed_at = timezone.now()
    note.needs_cosign = needs_cosign(note)
    if note.answers_alert_id is not None:
        _acknowledge_with_note(actor, note)


def _acknowledge_with_note(actor: Actor, note: ClinicalNote) -> None:
    alert = Alert.objects.select_related("patient").get(
        organization_id=note.organization_id,
        patient_id=note.patient_id,
        pk=int(str(note.answers_alert_id)),
    )
    if alert.status != AlertStatus.OPEN:
        return  # someone acknowledged it meanwhile: the note still answers it
    session = ""
    if note.session_at is not None:
        local = note.session_at.astimezone(organization_zone(note.patient))
        session = f" (session of {local:%-d %b %Y %H:%M})"
    alert_services.acknowledge(
        alert, actor, note=f"Acknowledged with a note: {note.format_short} note{session}."
    )


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
    """A note with sections only (no session details): `create_note`."""
    return create_note(actor, patient, NoteData(note_format, sections, sign=sign))


def create_note(actor: Actor, patient: Patient, data: NoteData) -> ClinicalNote:
    """A new draft by `actor`, signed at once when `data.sign` (then every section is
    needed, and the alert it answers is acknowledged)."""
    require(actor, Capability.WRITE_NOTES, patient=patient)
    cleaned = _clean_sections(data.note_format, data.sections)
    if not any(cleaned.values()):
        raise ServiceError("Write at least one section before saving the note.")
    details = _clean_details(actor, patient, data)
    note = ClinicalNote(
        organization_id=patient.organization_id,
        patient=patient,
        author=actor.user,
        format=data.note_format,
        **cleaned,
        **details,
    )
    with transaction.atomic():
        if data.sign:
            _sign(actor, note)
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
    actor: Actor,
    note: ClinicalNote,
    *,
    sections: Mapping[str, str],
    sign: bool = False,
    data: NoteData | None = None,
) -> ClinicalNote:
    """Change the author's own draft (its sections, and its session when `data` is given),
    and sign it when `sign`."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    kept = note.answers_alert_id
    details = _clean_details(actor, patient, data, kept) if data is not None else {}
    with transaction.atomic():
        locked = _locked_draft(actor, note, "change")
        locked.patient = patient
        for name, value in (_clean_sections(locked.format, sections) | details).items():
            setattr(locked, name, value)
        if sign:
            _sign(actor, locked)
        _store(locked)
        record(actor, AuditAction.UPDATE, patient=patient, object_type=NOTE, object_id=str(note.pk))
    return locked


def sign_note(actor: Actor, note: ClinicalNote) -> ClinicalNote:
    """Sign the author's own draft as it stands. Nothing is written if it is refused."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    with transaction.atomic():
        locked = _locked_draft(actor, note, "sign")
        locked.patient = patient
        _sign(actor, locked)
        locked.save(update_fields=["signed_at", "needs_cosign", "updated_at"])
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


def cosignature_of(note: ClinicalNote) -> NoteCosignature | None:
    return (
        NoteCosignature.objects.filter(organization_id=note.organization_id, note=note)
        .select_related("cosigner")
        .first()
    )


def cosign_note(actor: Actor, note: ClinicalNote) -> NoteCosignature:
    """A supervising clinician's co-signature of a signed note that needs one: another
    active clinician of the organization than its author, once per note."""
    patient = note.patient
    require(actor, Capability.WRITE_NOTES, patient=patient)
    is_clinician = Membership.objects.filter(
        organization_id=note.organization_id, user=actor.user, role=Role.CLINICIAN, is_active=True
    ).exists()
    with transaction.atomic():
        locked = ClinicalNote.objects.select_for_update().get(pk=note.pk)
        if not locked.is_signed:
            raise ServiceError(
                "This note is still a draft: its author signs it first.", status=409, code="draft"
            )
        if not locked.needs_cosign:
            raise ServiceError("This note does not need co-signature.", status=409, code="conflict")
        if locked.author_id == actor.user.pk or not is_clinician:
            raise ServiceError(
                "Another clinician of the organization co-signs a note, not its author.",
                status=403,
                code="forbidden",
            )
        done = cosignature_of(locked)
        if done is not None:
            raise ServiceError(
                f"This note was already co-signed by {done.cosigner} on "
                f"{done.signed_at:%-d %b %Y}.",
                status=409,
                code="conflict",
            )
        cosignature = NoteCosignature.objects.create(
            organization_id=note.organization_id,
            patient=patient,
            note=locked,
            cosigner=actor.user,
            signed_at=timezone.now(),
        )
        record(actor, AuditAction.UPDATE, patient=patient, object_type=NOTE, object_id=str(note.pk))
    return cosignature
