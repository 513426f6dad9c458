"""The patient's record as a FHIR R4 `collection` Bundle (their right of access, in a
format other health software reads).

The Bundle holds the Patient and their Organization, and what has a natural FHIR form:
stays in care (EpisodeOfCare), daily check-ins and reported use (Observation),
questionnaire answers and scores (the questionnaires app's own export, reused),
medications (MedicationStatement) and signed clinical notes with their addenda
(DocumentReference, the text attached). The JSON export holds everything else.

Every resource has a `urn:uuid:` fullUrl and every reference points at one of them, so
the Bundle stands alone; people outside it (the note's author) are named by `display`
only. The whole Bundle is checked with the `fhir.resources` R4B models before it leaves.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.medications.models import Medication
from waymark.notes.models import ClinicalNote
from waymark.patients.models import Episode, Patient
from waymark.questionnaires import fhir as questionnaire_fhir
from waymark.questionnaires.models import QuestionnaireResponse

BASE = questionnaire_fhir.BASE
CHECKIN_SYSTEM = f"{BASE}/CodeSystem/daily-checkin"
SUBSTANCE_SYSTEM = f"{BASE}/CodeSystem/substance"


def _urn(value: uuid.UUID | str) -> str:
    return f"urn:uuid:{value}"


def _stable_id(patient: Patient, kind: str, pk: Any) -> uuid.UUID:
    """A resource id that is the same in every export of this patient."""
    return uuid.uuid5(patient.pk, f"{kind}:{pk}")


def _patient(patient: Patient, organization_urn: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "name": [{"text": patient.preferred_name, "given": [patient.preferred_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"reference": organization_urn},
    }


def _episode(episode: Episode, subject: dict[str, str], organization_urn: str) -> dict[str, Any]:
    period = {"start": episode.admitted_on.isoformat()}
    if episode.discharged_on:
        period["end"] = episode.discharged_on.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "status": "active" if episode.is_open else "finished",
        "patient": subject,
        "managingOrganization": {"reference": organization_urn},
        "period": period,
    }


def _component(code: str, display: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": CHECKIN_SYSTEM, "code": code, "display": display}]},
        **value,
    }


def _checkin(checkin: CheckIn, subject: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [questionnaire_fhir.SURVEY],
        "code": {
            "coding": [{"system": CHECKIN_SYSTEM, "code": "checkin", "display": "Daily check-in"}]
        },
        "subject": subject,
        "effectiveDateTime": checkin.completed_at.isoformat(),
        "component": [
            _component("craving", "Craving (0-10)", {"valueInteger": checkin.craving}),
            _component("mood", "Mood (1-5)", {"valueInteger": checkin.mood}),
            _component("stress", "Stress (0-10)", {"valueInteger": checkin.stress}),
            _component(
                "sleep-quality", "Sleep quality (1-5)", {"valueInteger": checkin.sleep_quality}
            ),
            _component(
                "sleep-hours",
                "Hours of sleep",
                {
                    "valueQuantity": {
                        "value": float(checkin.sleep_hours),
                        "unit": "h",
                        "system": questionnaire_fhir.UCUM,
                        "code": "h",
                    }
                },
            ),
            _component(
                "safety-concern", "Thoughts of self-harm", {"valueBoolean": checkin.safety_concern}
            ),
        ],
    }
    if checkin.note:
        resource["note"] = [{"text": checkin.note}]
    return resource


def _use(use: SubstanceUse, subject: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Substance use reported in a check-in"},
        "subject": subject,
        "effectiveDateTime": use.used_on.isoformat(),
        "valueCodeableConcept": {
            "coding": [
                {
                    "system": SUBSTANCE_SYSTEM,
                    "code": use.substance,
                    "display": use.get_substance_display(),
                }
            ],
        },
    }
    notes = [text for text in (use.amount, use.note) if text]
    if use.as_prescribed:
        notes.append("Taken as prescribed.")
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def _medication(medication: Medication, subject: dict[str, str], today: dt.date) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "active" if medication.is_current(today) else "completed",
        "medicationCodeableConcept": {"text": medication.name},
        "subject": subject,
        "dateAsserted": medication.created_at.isoformat(),
    }
    period = {
        key: day.isoformat()
        for key, day in (("start", medication.started_on), ("end", medication.stopped_on))
        if day
    }
    if period:
        resource["effectivePeriod"] = period
    if medication.dose:
        resource["dosage"] = [{"text": medication.dose}]
    if medication.prescribed_for_text():
        resource["reasonCode"] = [{"text": medication.prescribed_for_text()}]
    return resource


def _note(note: ClinicalNote, subject: dict[str, str]) -> dict[str, Any]:
    assert note.signed_at is not None
    parts = [f"{section.label}\n{text}" for section, text in note.sections() if text]
    parts += [
        f"Addendum by {addendum.author}, {addendum.signed_at:%Y-%m-%d %H:%M} UTC\n{addendum.text}"
        for addendum in note.addenda.all()
    ]
    text = "\n\n".join(parts)
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "final",
        "type": {"text": note.get_format_display()},
        "subject": subject,
        "date": note.signed_at.isoformat(),
        "author": [{"display": str(note.author)}],
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(text.encode()).decode(),
                    "title": f"{note.format_short} note of {note.signed_at:%Y-%m-%d}",
                }
            }
        ],
    }


def _local_refs(resource: Any, patient: Patient, subject: dict[str, str]) -> Any:
    """The questionnaires export names the patient `Patient/<id>`; inside this Bundle the
    patient is its urn:uuid entry."""
    if isinstance(resource, dict):
        if resource.get("reference") == f"Patient/{patient.pk}":
            return {**resource, "reference": subject["reference"]}
        return {key: _local_refs(value, patient, subject) for key, value in resource.items()}
    if isinstance(resource, list):
        return [_local_refs(value, patient, subject) for value in resource]
    return resource


def patient_bundle(patient: Patient, *, now: dt.datetime) -> dict[str, Any]:
    org = patient.organization_id
    organization_id = uuid.uuid5(patient.pk, f"organization:{org}")
    organization_urn = _urn(organization_id)
    subject = {"reference": _urn(patient.pk), "display": patient.preferred_name}
    entries: list[dict[str, Any]] = [
        {"fullUrl": subject["reference"], "resource": _patient(patient, organization_urn)},
        {
            "fullUrl": organization_urn,
            "resource": {
                "resourceType": "Organization",
                "id": str(organization_id),
                "name": patient.organization.name,
            },
        },
    ]

    def add(kind: str, pk: Any, resource: dict[str, Any]) -> None:
        resource_id = str(_stable_id(patient, kind, pk))
        entries.append({"fullUrl": _urn(resource_id), "resource": {"id": resource_id, **resource}})

    mine = {"organization_id": org, "patient": patient}
    for episode in Episode.objects.filter(**mine).order_by("admitted_on"):
        add("episode", episode.pk, _episode(episode, subject, organization_urn))
    for checkin in CheckIn.objects.filter(**mine).order_by("local_date"):
        add("checkin", checkin.pk, _checkin(checkin, subject))
    for use in SubstanceUse.objects.filter(**mine).order_by("used_on", "substance"):
        add("use", use.pk, _use(use, subject))
    for medication in Medication.objects.filter(**mine).order_by("name", "id"):
        add("medication", medication.pk, _medication(medication, subject, patient.local_today()))
    signed = ClinicalNote.objects.filter(**mine, signed_at__isnull=False).select_related("author")
    for note in signed.prefetch_related("addenda__author").order_by("signed_at"):
        add("note", note.pk, _note(note, subject))
    responses = QuestionnaireResponse.objects.filter(**mine).select_related("questionnaire")
    answered = questionnaire_fhir.bundle(patient, responses)["entry"]
    entries += _local_refs(answered, patient, subject)
    result = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(result)  # raises if anything above is not valid FHIR R4
    return result
