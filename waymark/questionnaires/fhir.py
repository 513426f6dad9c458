"""FHIR R4 export: QuestionnaireResponse and Observation resources in a Bundle that
stands alone.

Each response becomes a QuestionnaireResponse (answers as the definition's codings,
LOINC where they exist) and one Observation per score: the total as `valueQuantity`,
coded with LOINC where a code exists (PHQ-9 44261-6, GAD-7 70274-6, AUDIT-C 75626-2)
and with Waymark's own code system otherwise, `derivedFrom` the response. A response
a later one corrected is exported as `entered-in-error`; the correction carries an
extension pointing at it.

Every Bundle holds the Patient, their Organization and each Questionnaire a response
answers (the exact version, its `url` the response's canonical), so every reference
resolves to a `urn:uuid:` entry and every canonical to a resource in the Bundle. Ids
are derived from the rows, so exporting twice gives the same ids.

Canonical URLs: definitions name Waymark's own code systems, extensions and
questionnaires under the stand-in base `LOCAL_BASE`; an export rewrites it to
`settings.FHIR_BASE_URL` (the organization's address), so the stored definitions and
their checksums need no change when a deployment's address does.

The whole Bundle is checked with the `fhir.resources` R4B models before it leaves (so an
invalid export fails loudly rather than quietly).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

LOCAL_BASE = "https://fhir.waymark.invalid"  # rewritten to FHIR_BASE_URL on export
SCORE_SYSTEM = f"{LOCAL_BASE}/CodeSystem/questionnaire-scores"
CORRECTS_EXTENSION = f"{LOCAL_BASE}/StructureDefinition/corrects"
SCORING_FORM_EXTENSION = f"{LOCAL_BASE}/StructureDefinition/scoring-form"
LOINC = "http://loinc.org"
# The notice LOINC's licence asks for wherever LOINC content is shipped (DESIGN.md:
# "LOINC codes ship with the LOINC copyright notice"); it rides on every Questionnaire
# whose codes are LOINC's.
LOINC_NOTICE = (
    "This material contains content from LOINC (http://loinc.org). LOINC is copyright "
    "Regenstrief Institute, Inc. and the Logical Observation Identifiers Names and Codes "
    "(LOINC) Committee and is available at no cost under the license at "
    "http://loinc.org/license. LOINC® is a registered United States trademark of "
    "Regenstrief Institute, Inc."
)
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
# Names the ids of resources that have no uuid row of their own (organizations, users).
_ID_NAMESPACE = uuid.UUID("0f1c6a52-5b0e-4d59-9a57-2f4f7b1f3c10")

Entry = dict[str, Any]


def urn(value: uuid.UUID | str) -> str:
    return f"urn:uuid:{value}"


def base_url() -> str:
    """The configured base of Waymark's canonical URLs (settings.FHIR_BASE_URL)."""
    return str(settings.FHIR_BASE_URL).rstrip("/")


def rebase(value: Any) -> Any:
    """`value` with every string under LOCAL_BASE moved to the configured base."""
    if isinstance(value, str):
        if value.startswith(LOCAL_BASE):
            return base_url() + value[len(LOCAL_BASE) :]
        return value
    if isinstance(value, dict):
        return {key: rebase(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [rebase(inner) for inner in value]
    return value


def labelled(short_title: str, label: str) -> str:
    """A scale's name said once: "PHQ-9 total", not "PHQ-9 PHQ-9 total"."""
    return label if label.startswith(short_title) else f"{short_title} {label}"


def derived_id(kind: str, key: Any) -> uuid.UUID:
    """A stable id for a resource whose row has no uuid: the same in every export."""
    return uuid.uuid5(_ID_NAMESPACE, f"{kind}:{key}")


def subject(patient: Patient) -> dict[str, str]:
    """The reference every resource about the patient carries."""
    return {"reference": urn(patient.pk), "display": patient.preferred_name}


def organization_reference(organization: Organization) -> dict[str, str]:
    return {"reference": urn(derived_id("organization", organization.pk))}


def patient_entries(patient: Patient) -> list[Entry]:
    """The Patient and the Organization that manages their record."""
    organization = patient.organization
    org_id = str(derived_id("organization", organization.pk))
    return [
        {
            "fullUrl": urn(patient.pk),
            "resource": {
                "resourceType": "Patient",
                "id": str(patient.pk),
                "name": [{"text": patient.preferred_name, "given": [patient.preferred_name]}],
                "birthDate": patient.date_of_birth.isoformat(),
                "managingOrganization": organization_reference(organization),
            },
        },
        {
            "fullUrl": urn(org_id),
            "resource": {
                "resourceType": "Organization",
                "id": org_id,
                "identifier": [
                    {
                        "system": f"{LOCAL_BASE}/NamingSystem/organization",
                        "value": organization.slug,
                    }
                ],
                "name": organization.name,
            },
        },
    ]


def _uses_loinc(value: Any) -> bool:
    """Whether any coding in `value` (its code, an item's, an answer's) is LOINC's."""
    if isinstance(value, dict):
        return value.get("system") == LOINC or any(_uses_loinc(v) for v in value.values())
    if isinstance(value, list):
        return any(_uses_loinc(inner) for inner in value)
    return False


def questionnaire_resource(questionnaire: Questionnaire) -> dict[str, Any]:
    """The FHIR part of the definition a response answered, with its LOINC notice."""
    definition = questionnaire.parsed
    resource = dict(definition.resource)
    resource["id"] = str(derived_id("questionnaire", definition.canonical))
    if _uses_loinc(resource):
        copyright_text = str(resource.get("copyright", ""))
        if LOINC_NOTICE not in copyright_text:
            resource["copyright"] = f"{copyright_text}\n\n{LOINC_NOTICE}".strip()
    return resource


def questionnaire_entries(questionnaires: Iterable[Questionnaire]) -> list[Entry]:
    """One entry per distinct questionnaire version, in a stable order."""
    unique = {q.pk: q for q in questionnaires}
    resources = [questionnaire_resource(q) for q in unique.values()]
    resources.sort(key=lambda resource: (resource["url"], resource["version"]))
    return [{"fullUrl": urn(resource["id"]), "resource": resource} for resource in resources]


def collection(entries: list[Entry], *, now: dt.datetime) -> dict[str, Any]:
    """The entries as a `collection` Bundle at the configured base, checked with the
    fhir.resources R4B models (raises if anything is not valid FHIR R4)."""
    result = rebase(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": "collection",
            "timestamp": now.isoformat(),
            "entry": entries,
        }
    )
    Bundle.model_validate(result)
    return result


def observation_id(response: QuestionnaireResponse, scale_id: str) -> uuid.UUID:
    """Stable: the same response and scale always export the same Observation id."""
    return uuid.uuid5(response.pk, f"score:{response.scoring_form}:{scale_id}")


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
            {"url": CORRECTS_EXTENSION, "valueReference": {"reference": urn(response.corrects_id)}}
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "extension": extensions,
        "questionnaire": definition.canonical,
        "status": "entered-in-error" if corrected else "completed",
        "subject": subject(response.patient),
        "authored": response.submitted_at.isoformat(),
        "source": subject(response.patient),
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
                "display": labelled(definition.short_title, scale.label),
            }
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(observation_id(response, scale.id)),
            "status": "entered-in-error" if corrected else "final",
            "category": [SURVEY],
            "code": {"coding": [coding], "text": labelled(definition.short_title, scale.label)},
            "subject": subject(response.patient),
            "effectiveDateTime": response.submitted_at.isoformat(),
            "issued": response.submitted_at.isoformat(),
            "valueQuantity": {
                "value": stored["value"],
                "unit": scale.unit,
                "system": UCUM,
                "code": scale.unit,
            },
            "derivedFrom": [{"reference": urn(response.pk), "display": definition.short_title}],
        }
        band = stored.get("band")
        labels = [band["label"]] if band else []
        labels += [flag["label"] for flag in stored.get("flags", [])]
        if labels:
            resource["interpretation"] = [{"text": label} for label in labels]
        found.append(resource)
    return found


def response_entries(responses: Iterable[QuestionnaireResponse]) -> list[Entry]:
    """Every response (oldest first), each followed by its score Observations."""
    ordered = sorted(responses, key=lambda response: response.submitted_at)
    corrected = {response.corrects_id for response in ordered if response.corrects_id}
    entries: list[Entry] = []
    for response in ordered:
        is_corrected = response.pk in corrected
        entries.append(
            {
                "fullUrl": urn(response.pk),
                "resource": questionnaire_response(response, corrected=is_corrected),
            }
        )
        for observation in observations(response, corrected=is_corrected):
            entries.append({"fullUrl": urn(observation["id"]), "resource": observation})
    return entries


def bundle(patient: Patient, responses: Iterable[QuestionnaireResponse]) -> dict[str, Any]:
    """A `collection` Bundle of the patient, their organization, the questionnaires
    answered, and every response with its score Observations."""
    responses = list(responses)
    entries = patient_entries(patient)
    entries += questionnaire_entries(response.questionnaire for response in responses)
    entries += response_entries(responses)
    return collection(entries, now=timezone.now())


def patient_bundle(patient: Patient) -> dict[str, Any]:
    responses = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).select_related("questionnaire", "patient")
    return bundle(patient, responses)
