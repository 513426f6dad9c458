"""FHIR R4 export: a Bundle of QuestionnaireResponse and Observation resources that the
fhir.resources R4B models accept, LOINC-coded, with each score derived from its response."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.patients.models import Patient
from waymark.questionnaires.fhir import patient_bundle
from waymark.questionnaires.services import start_correction, submit_response
from waymark.questionnaires.tests.helpers import (
    PUBLISHED_PHQ9,
    bam_answers,
    numbered,
    phq9,
    recorded,
    repeated_run,
    submitted,
)

ClientFor = Callable[[User | None], Client]
MODELS = {
    "QuestionnaireResponse": FhirResponse,
    "Observation": Observation,
    "Patient": FhirPatient,
    "Organization": Organization,
    "Questionnaire": Questionnaire,
}
BASE = "https://care.northstar.example/fhir"


@pytest.fixture(autouse=True)
def _base(settings: Any) -> None:
    """Canonical URLs sit under the organization's configured base."""
    settings.FHIR_BASE_URL = BASE


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def answered(phq9_due: Patient) -> Patient:
    submitted(phq9_due, "phq-9", numbered(PUBLISHED_PHQ9))
    recorded(phq9_due, "who-5", numbered([3, 3, 2, 2, 3]), days_ago=3)
    recorded(phq9_due, "bam", bam_answers(q4=2), days_ago=2, form="likert")
    recorded(phq9_due, "audit-c", numbered([2, 1, 0]), days_ago=1)
    return phq9_due


def test_it_validates_every_resource_with_fhir_resources(answered: Patient) -> None:
    bundle = patient_bundle(answered)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert len(resources(bundle, "QuestionnaireResponse")) == 4
    assert len(resources(bundle, "Observation")) == 1 + 1 + 3 + 1  # BAM: three subscales
    assert len(resources(bundle, "Patient")) == len(resources(bundle, "Organization")) == 1
    assert len(resources(bundle, "Questionnaire")) == 4


def test_it_stands_alone_every_reference_and_canonical_resolving_inside(
    answered: Patient,
) -> None:
    bundle = patient_bundle(answered)
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    text = json.dumps(bundle)
    for reference in re.findall(r'"reference": "([^"]+)"', text):
        assert reference in full_urls
    canonicals = {f"{q['url']}|{q['version']}" for q in resources(bundle, "Questionnaire")}
    assert {r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")} <= canonicals
    assert "waymark.invalid" not in text


def test_it_says_each_scale_name_once(answered: Patient) -> None:
    observations = resources(patient_bundle(answered), "Observation")
    texts = [o["code"]["text"] for o in observations]
    texts += [coding["display"] for o in observations for coding in o["code"]["coding"]]
    assert "PHQ-9 total" in texts
    assert [text for text in texts if repeated_run(text)] == []


def test_it_ships_the_loinc_notice_with_the_loinc_coded_questionnaires(answered: Patient) -> None:
    by_url = {q["url"]: q for q in resources(patient_bundle(answered), "Questionnaire")}
    assert "Regenstrief Institute" in by_url[f"{BASE}/Questionnaire/phq-9"]["copyright"]
    assert "Pfizer" in by_url[f"{BASE}/Questionnaire/phq-9"]["copyright"]  # kept, not replaced
    assert "Regenstrief" not in by_url[f"{BASE}/Questionnaire/bam"]["copyright"]  # no LOINC codes


def test_it_codes_the_phq9_total_with_loinc_as_a_value_quantity(answered: Patient) -> None:
    bundle = patient_bundle(answered)
    (phq,) = [
        r for r in resources(bundle, "QuestionnaireResponse") if "phq-9" in r["questionnaire"]
    ]
    (total,) = [
        o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "44261-6"
    ]
    assert total["code"]["coding"][0]["system"] == "http://loinc.org"
    assert total["valueQuantity"] == {
        "value": 12,
        "unit": "{score}",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert total["derivedFrom"][0]["reference"] == f"urn:uuid:{phq['id']}"
    assert total["category"][0]["coding"][0]["code"] == "survey"
    assert total["interpretation"] == [{"text": "Moderate"}]
    assert total["subject"]["reference"] == f"urn:uuid:{answered.pk}"
    assert total["status"] == "final"


def test_it_exports_the_answers_with_their_codes(answered: Patient) -> None:
    bundle = patient_bundle(answered)
    (phq,) = [
        r for r in resources(bundle, "QuestionnaireResponse") if "phq-9" in r["questionnaire"]
    ]
    assert phq["status"] == "completed"
    assert phq["questionnaire"] == f"{BASE}/Questionnaire/phq-9|2"
    item9 = next(item for item in phq["item"] if item["linkId"] == "9")
    assert item9["answer"] == [
        {"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5", "display": "Not at all"}}
    ]
    (bam,) = [r for r in resources(bundle, "QuestionnaireResponse") if "bam" in r["questionnaire"]]
    assert next(i for i in bam["item"] if i["linkId"] == "4")["answer"] == [{"valueInteger": 2}]
    assert bam["extension"][0]["valueCode"] == "likert"


def test_it_codes_the_other_totals_with_loinc_or_waymarks_own_system(answered: Patient) -> None:
    codes = {
        (o["code"]["coding"][0]["system"], o["code"]["coding"][0]["code"])
        for o in resources(patient_bundle(answered), "Observation")
    }
    assert ("http://loinc.org", "75626-2") in codes  # AUDIT-C
    waymark = f"{BASE}/CodeSystem/questionnaire-scores"
    assert {(waymark, "who-5.standard.score"), (waymark, "bam.likert.use")} <= codes


def test_it_marks_a_corrected_response_entered_in_error(phq9_due: Patient) -> None:
    original = submitted(phq9_due, "phq-9", phq9(item9=1))
    start_correction(phq9_due, original)
    correction = submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user, corrects=original)
    bundle = patient_bundle(phq9_due)
    Bundle.model_validate(bundle)
    by_id = {r["id"]: r for r in resources(bundle, "QuestionnaireResponse")}
    assert by_id[str(original.pk)]["status"] == "entered-in-error"
    assert by_id[str(correction.pk)]["status"] == "completed"
    assert by_id[str(correction.pk)]["extension"][1]["valueReference"]["reference"] == (
        f"urn:uuid:{original.pk}"
    )
    statuses = {
        o["derivedFrom"][0]["reference"]: o["status"] for o in resources(bundle, "Observation")
    }
    assert statuses[f"urn:uuid:{original.pk}"] == "entered-in-error"


def test_it_gives_the_patient_their_own_bundle(answered: Patient, client_for: ClientFor) -> None:
    response = client_for(answered.user).get("/api/v1/me/fhir")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    Bundle.model_validate(json.loads(response.content))
    assert not AuditEvent.objects.exists()  # a patient reading their own record is not audited


def test_it_gives_a_clinician_the_bundle_and_audits_the_export(
    answered: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(f"/api/v1/patients/{answered.pk}/fhir")
    assert response.status_code == 200
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    assert len(resources(bundle, "QuestionnaireResponse")) == 4
    (patient,) = resources(bundle, "Patient")  # the subject every resource points at
    assert {r["subject"]["reference"] for r in resources(bundle, "Observation")} == {
        f"urn:uuid:{patient['id']}"
    }
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient) == (AuditAction.EXPORT, bob, answered)
    assert event.object_type == "questionnaire_fhir"


def test_it_answers_404_to_another_organizations_clinician(
    answered: Patient, carol: User, client_for: ClientFor
) -> None:
    assert client_for(carol).get(f"/api/v1/patients/{answered.pk}/fhir").status_code == 404
    assert not AuditEvent.objects.exists()


def test_it_serves_each_definition_as_a_valid_fhir_questionnaire(
    alice: Patient, client_for: ClientFor
) -> None:
    for key in ("phq-9", "gad-7", "audit-c", "who-5", "sds-ketamine", "bam"):
        response = client_for(alice.user).get(f"/api/v1/questionnaires/{key}")
        assert response.status_code == 200
        resource = json.loads(response.content)
        assert "waymark" not in resource
        assert resource["url"] == f"{BASE}/Questionnaire/{key}"
        Questionnaire.model_validate(resource)
