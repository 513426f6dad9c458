"""FHIR R4 export: QuestionnaireResponse and Observation resources in a Bundle.

Each response becomes a QuestionnaireResponse (answers as the definition's codings,
LOINC where they exist) and one Observation per score: the total as `valueQuantity`,
coded with LOINC where a code exists (PHQ-9 44261-6, GAD-7 70274-6, AUDIT-C 75626-2)
and with Waymark's own code system otherwise, `derivedFrom` the response. A response
a later one corrected is exported as `entered-in-error`; the correction carries an
extension pointing at it. Every resource is checked with the `fhir.resources` R4B
models before it leaves (so an invalid export fails loudly rather than quietly).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse

BASE = "https://fhir.waymark.invalid"
SCORE_SYSTEM = f"{BASE}/CodeSystem/questionnaire-scores"
CORRECTS_EXTENSION = f"{BASE}/StructureDefinition/corrects"
SCORING_FORM_EXTENSION = f"{BASE}/StructureDefinition/scoring-form"
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
UCUM = "http://unitsofmeasure.org"


def _urn(value: uuid.UUID | str) -> str:
    return f"urn:uuid:{value}"


def observation_id(response: QuestionnaireResponse, scale_id: str) -> uuid.UUID:
    """Stable: the same response and scale always export the same Observation id."""
    return uuid.uuid5(response.pk, f"score:{response.scoring_form}:{scale_id}")


def _subject(patient: Patient) -> dict[str, str]:
    return {"reference": f"Patient/{patient.pk}", "display": patient.preferred_name}


def questionnaire_response(response: QuestionnaireResponse, *, corrected: bool) -> dict[str, Any]:
    definition = response.definition
    items = []
    for item in definition.items:
        if item.link_id not in response.answers:
            continue
        value = response.answers[item.link_id]
        option = item.option(value)
        if option is not None:
            answer: dict[str, Any] = {
                "valueCoding": {
                    "system": option.system,
                    "code": option.code,
                    "display": option.display,
                }
            }
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": item.link_id, "text": item.text, "answer": [answer]})
    extensions: list[dict[str, Any]] = [
        {"url": SCORING_FORM_EXTENSION, "valueCode": response.scoring_form}
    ]
    if response.corrects_id:
        extensions.append(
            {"url": CORRECTS_EXTENSION, "valueReference": {"reference": _urn(response.corrects_id)}}
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "extension": extensions,
        "questionnaire": definition.canonical,
        "status": "entered-in-error" if corrected else "completed",
        "subject": _subject(response.patient),
        "authored": response.submitted_at.isoformat(),
        "source": _subject(response.patient),
        "item": items,
    }


def observations(response: QuestionnaireResponse, *, corrected: bool) -> list[dict[str, Any]]:
    definition = response.definition
    form = definition.form(response.scoring_form)
    found = []
    for stored in response.scores.get("scales", []):
        scale = form.scale(stored["id"])
        if scale.code is not None:
            coding = {
                "system": scale.code.system,
                "code": scale.code.code,
                "display": scale.code.display,
            }
        else:
            coding = {
                "system": SCORE_SYSTEM,
                "code": f"{definition.key}.{form.id}.{scale.id}",
                "display": f"{definition.short_title} {scale.label}",
            }
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(observation_id(response, scale.id)),
            "status": "entered-in-error" if corrected else "final",
            "category": [SURVEY],
            "code": {"coding": [coding], "text": f"{definition.short_title} {scale.label}"},
            "subject": _subject(response.patient),
            "effectiveDateTime": response.submitted_at.isoformat(),
            "issued": response.submitted_at.isoformat(),
            "valueQuantity": {
                "value": stored["value"],
                "unit": scale.unit,
                "system": UCUM,
                "code": scale.unit,
            },
            "derivedFrom": [{"reference": _urn(response.pk), "display": definition.short_title}],
        }
        band = stored.get("band")
        labels = [band["label"]] if band else []
        labels += [flag["label"] for flag in stored.get("flags", [])]
        if labels:
            resource["interpretation"] = [{"text": label} for label in labels]
        found.append(resource)
    return found


def bundle(patient: Patient, responses: Iterable[QuestionnaireResponse]) -> dict[str, Any]:
    """A `collection` Bundle of every response (oldest first) and its score Observations."""
    ordered = sorted(responses, key=lambda response: response.submitted_at)
    corrected = {response.corrects_id for response in ordered if response.corrects_id}
    entries = []
    for response in ordered:
        is_corrected = response.pk in corrected
        entries.append(
            {
                "fullUrl": _urn(response.pk),
                "resource": questionnaire_response(response, corrected=is_corrected),
            }
        )
        for observation in observations(response, corrected=is_corrected):
            entries.append({"fullUrl": _urn(observation["id"]), "resource": observation})
    result = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(result)  # raises if anything above is not valid FHIR R4
    return result


def patient_bundle(patient: Patient) -> dict[str, Any]:
    responses = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).select_related("questionnaire", "patient")
    return bundle(patient, responses)
