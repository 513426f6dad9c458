"""The patient's record as a FHIR R4 `collection` Bundle (their right of access, in a
format other health software reads).

The Bundle holds the Patient and their Organization, and what has a natural FHIR form:
stays in care (EpisodeOfCare), daily check-ins and reported use (Observation),
questionnaires, answers and scores (the questionnaires app's own export, reused),
medications (MedicationStatement), alerts (Flag, raised by the organization's rules)
and signed clinical notes with their addenda (DocumentReference, the text attached;
its author a Practitioner entry). The JSON export holds everything else.

Every resource has a `urn:uuid:` fullUrl and every reference points at one of them, so
the Bundle stands alone; ids come from the rows, so two exports give the same ids. The
same Bundle serves the patient's own download and a clinician's export. Canonical URLs
sit under the organization's configured base (questionnaires/fhir.py, `collection`),
which also checks the whole Bundle with the `fhir.resources` R4B models.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.medications.models import Medication
from waymark.notes.models import ClinicalNote
from waymark.patients.models import Episode, Patient
from waymark.questionnaires import fhir as questionnaire_fhir
from waymark.questionnaires.models import QuestionnaireResponse

LOCAL_BASE = questionnaire_fhir.LOCAL_BASE  # rewritten to settings.FHIR_BASE_URL
CHECKIN_SYSTEM = f"{LOCAL_BASE}/CodeSystem/daily-checkin"
SUBSTANCE_SYSTEM = f"{LOCAL_BASE}/CodeSystem/substance"
ALERT_RULE_SYSTEM = f"{LOCAL_BASE}/CodeSystem/alert-rule"
FLAG_CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/flag-category",
            "code": "clinical",
            "display": "Clinical",
        }
    ]
}
_urn = questionnaire_fhir.urn


def _stable_id(patient: Patient, kind: str, pk: Any) -> uuid.UUID:
    """A resource id that is the same in every export of this patient."""
    return uuid.uuid5(patient.pk, f"{kind}:{pk}")


def _episode(episode: Episode, subject: dict[str, str], organization: dict[str, str]) -> dict:
    period = {"start": episode.admitted_on.isoformat()}
    if episode.discharged_on:
        period["end"] = episode.discharged_on.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "status": "active" if episode.is_open else "finished",
        "patient": subject,
        "managingOrganization": organization,
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


def _practitioner_urn(user: User) -> str:
    return _urn(questionnaire_fhir.derived_id("practitioner", user.pk))


def _practitioner(user: User) -> dict[str, Any]:
    """A note's author, by name only (no contact details leave with the record)."""
    return {
        "resourceType": "Practitioner",
        "id": str(questionnaire_fhir.derived_id("practitioner", user.pk)),
        "name": [{"text": str(user)}],
    }


def _flag(alert: Alert, subject: dict[str, str], organization: dict[str, str]) -> dict:
    """An alert as a Flag: what the rule saw and why, raised on the organization's
    behalf; active until it is resolved."""
    period = {"start": alert.created_at.isoformat()}
    if alert.resolved_at:
        period["end"] = alert.resolved_at.isoformat()
    return {
        "resourceType": "Flag",
        "status": "inactive" if alert.status == AlertStatus.RESOLVED else "active",
        "category": [FLAG_CATEGORY],
        "code": {
            "coding": [
                {"system": ALERT_RULE_SYSTEM, "code": alert.rule_id, "display": alert.title}
            ],
            "text": alert.reason,
        },
        "subject": subject,
        "period": period,
        "author": organization,
    }


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
        "author": [{"reference": _practitioner_urn(note.author), "display": str(note.author)}],
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


def patient_bundle(patient: Patient, *, now: dt.datetime) -> dict[str, Any]:
    org = patient.organization_id
    organization = questionnaire_fhir.organization_reference(patient.organization)
    subject = questionnaire_fhir.subject(patient)
    entries = questionnaire_fhir.patient_entries(patient)

    def add(kind: str, pk: Any, resource: dict[str, Any]) -> None:
        resource_id = str(_stable_id(patient, kind, pk))
        entries.append({"fullUrl": _urn(resource_id), "resource": {"id": resource_id, **resource}})

    mine = {"organization_id": org, "patient": patient}
    for episode in Episode.objects.filter(**mine).order_by("admitted_on"):
        add("episode", episode.pk, _episode(episode, subject, organization))
    for checkin in CheckIn.objects.filter(**mine).order_by("local_date"):
        add("checkin", checkin.pk, _checkin(checkin, subject))
    for use in SubstanceUse.objects.filter(**mine).order_by("used_on", "substance"):
        add("use", use.pk, _use(use, subject))
    for medication in Medication.objects.filter(**mine).order_by("name", "id"):
        add("medication", medication.pk, _medication(medication, subject, patient.local_today()))
    for alert in Alert.objects.filter(**mine).order_by("created_at", "id"):
        add("alert", alert.pk, _flag(alert, subject, organization))
    signed = ClinicalNote.objects.filter(**mine, signed_at__isnull=False).select_related("author")
    notes = list(signed.prefetch_related("addenda__author").order_by("signed_at"))
    for author in sorted({note.author for note in notes}, key=lambda user: user.pk):
        entries.append({"fullUrl": _practitioner_urn(author), "resource": _practitioner(author)})
    for note in notes:
        add("note", note.pk, _note(note, subject))
    responses = list(
        QuestionnaireResponse.objects.filter(**mine).select_related("questionnaire", "patient")
    )
    entries += questionnaire_fhir.questionnaire_entries(r.questionnaire for r in responses)
    entries += questionnaire_fhir.response_entries(responses)
    return questionnaire_fhir.collection(entries, now=now)
