"""The patient's record as a FHIR R4 Bundle: valid, standing alone, theirs only."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import start_correction, submit_response
from waymark.questionnaires.tests.helpers import numbered, phq9, repeated_run, submitted
from waymark.rights.tests.conftest import DANA_ONLY, ERIN_ONLY, MARKERS

ClientFor = Callable[[User | None], Client]


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def download(client: Client) -> dict[str, Any]:
    response = client.get(reverse("rights:export_fhir"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_it_is_a_bundle_fhir_resources_accepts(full_record: Patient, client_for: ClientFor) -> None:
    bundle = download(client_for(full_record.user))
    Bundle.model_validate(bundle)
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds >= {
        "Patient", "Organization", "EpisodeOfCare", "Observation", "QuestionnaireResponse",
        "MedicationStatement", "DocumentReference",
    }  # fmt: skip


def test_it_holds_the_patient_and_every_reference_resolves_inside(
    full_record: Patient, client_for: ClientFor
) -> None:
    bundle = download(client_for(full_record.user))
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert all(url.startswith("urn:uuid:") for url in full_urls)
    assert len(full_urls) == len(set(full_urls))
    patients = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert [p["fullUrl"] for p in patients] == [f"urn:uuid:{full_record.pk}"]
    assert patients[0]["resource"]["birthDate"] == "1994-05-17"
    found = list(references(bundle))
    assert found and set(found) <= set(full_urls)
    subjects = [e["resource"].get("subject") for e in bundle["entry"]]
    assert {s["reference"] for s in subjects if s} == {f"urn:uuid:{full_record.pk}"}


def test_it_carries_the_signed_note_with_its_addendum(
    full_record: Patient, client_for: ClientFor
) -> None:
    bundle = download(client_for(full_record.user))
    documents = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    text = base64.b64decode(documents[0]["content"][0]["attachment"]["data"]).decode()
    assert MARKERS["note"] in text and MARKERS["addendum"] in text
    assert MARKERS["checkin"] in json.dumps(bundle)


def test_it_holds_nothing_of_another_patient_or_organization(
    full_record: Patient, client_for: ClientFor
) -> None:
    text = json.dumps(download(client_for(full_record.user)))
    assert DANA_ONLY not in text and ERIN_ONLY not in text and "Harbour" not in text


def test_it_audits_the_download(full_record: Patient, client_for: ClientFor) -> None:
    download(client_for(full_record.user))
    event = AuditEvent.objects.get(patient=full_record, action=AuditAction.EXPORT)
    assert event.object_type == AuditObject.DATA_EXPORT_FHIR


# --- Issue 16 point 6: one stand-alone Bundle, at the organization's base ---------------

BASE = "https://care.northstar.example/fhir"
# Code systems and URLs that belong to someone else, not to the organization's base.
EXTERNAL = ("http://loinc.org", "http://unitsofmeasure.org", "http://terminology.hl7.org/",
            "http://hl7.org/fhir/")  # fmt: skip


@pytest.fixture
def clinical_record(full_record: Patient) -> Patient:
    """Alice's full record plus a GAD-7, and her PHQ-9 corrected to an item 9 answer that
    raises the safety alert, so the Bundle holds check-ins, both questionnaires (and a
    correction's reference), medications, alerts and notes."""
    submitted(full_record, "gad-7", numbered([1, 1, 1, 1, 0, 1, 2]))
    original = QuestionnaireResponse.objects.get(patient=full_record, questionnaire_key="phq-9")
    start_correction(full_record, original)
    submit_response(full_record, "phq-9", phq9(item9=1), by=full_record.user, corrects=original)
    assert Alert.objects.filter(patient=full_record).count() >= 2  # the lapse, item 9
    return full_record


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def strings(value: Any, keys: tuple[str, ...]) -> Iterator[str]:
    """Every string under one of `keys`, anywhere in `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in keys and isinstance(inner, str):
                yield inner
            else:
                yield from strings(inner, keys)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner, keys)


def export_for(client: Client, patient: Patient) -> dict[str, Any]:
    response = client.get(reverse("rights:patient_export_fhir", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_it_validates_the_whole_bundle_and_every_reference_resolves_to_an_entry(
    clinical_record: Patient, client_for: ClientFor
) -> None:
    bundle = download(client_for(clinical_record.user))
    Bundle.model_validate(bundle)  # fhir.resources R4B, the whole Bundle at once
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds >= {
        "Patient", "Organization", "EpisodeOfCare", "Observation", "QuestionnaireResponse",
        "Questionnaire", "MedicationStatement", "Flag", "DocumentReference", "Practitioner",
    }  # fmt: skip
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    found = list(references(bundle))
    assert len(found) > 20
    assert [reference for reference in found if reference not in full_urls] == []
    # Canonical references resolve too: each response's questionnaire is in the Bundle.
    canonicals = {f"{q['url']}|{q['version']}" for q in resources(bundle, "Questionnaire")}
    answered = [r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")]
    assert answered and set(answered) <= canonicals
    keys = {q["url"].rsplit("/", 1)[1] for q in resources(bundle, "Questionnaire")}
    assert keys == {"phq-9", "gad-7"}
    (note,) = resources(bundle, "DocumentReference")
    (author,) = resources(bundle, "Practitioner")
    assert note["author"][0]["reference"] == f"urn:uuid:{author['id']}"
    item9 = [
        item["answer"][0]["valueCoding"]["code"]
        for r in resources(bundle, "QuestionnaireResponse")
        for item in r["item"]
        if "phq-9" in r["questionnaire"] and item["linkId"] == "9"
    ]
    assert sorted(item9) == ["LA6568-5", "LA6569-3"]  # "Not at all", then "Several days"
    flags = resources(bundle, "Flag")
    assert {flag["status"] for flag in flags} == {"active"}
    assert all(flag["author"]["reference"] in full_urls for flag in flags)
    assert not [c["code"] for f in flags for c in f["code"]["coding"] if c["display"] == c["code"]]


def test_it_says_every_display_once(clinical_record: Patient, client_for: ClientFor) -> None:
    bundle = download(client_for(clinical_record.user))
    displays = list(strings(bundle, ("display", "text", "title")))
    assert "PHQ-9 total" in displays and "GAD-7 total" in displays
    assert [(text, repeated_run(text)) for text in displays if repeated_run(text)] == []


def test_it_puts_canonical_urls_under_the_configured_base(
    clinical_record: Patient, client_for: ClientFor, settings: Any
) -> None:
    settings.FHIR_BASE_URL = BASE
    bundle = download(client_for(clinical_record.user))
    assert "waymark.invalid" not in json.dumps(bundle)
    urls = list(strings(bundle, ("system", "url", "questionnaire")))
    ours = [url for url in urls if not url.startswith(EXTERNAL)]
    assert ours and all(url.startswith(f"{BASE}/") for url in ours), ours
    phq = next(q for q in resources(bundle, "Questionnaire") if q["url"].endswith("/phq-9"))
    assert phq["url"] == f"{BASE}/Questionnaire/phq-9"
    # LOINC codes ship with LOINC's notice; the instrument's own notice stays.
    assert "Regenstrief Institute" in phq["copyright"] and "Pfizer" in phq["copyright"]


def test_it_gives_the_same_ids_for_the_same_rows_every_time(
    clinical_record: Patient, client_for: ClientFor, bob: User
) -> None:
    def ids(bundle: dict[str, Any]) -> list[tuple[str, str]]:
        return [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]]

    first = download(client_for(clinical_record.user))
    second = download(client_for(clinical_record.user))
    by_bob = export_for(client_for(bob), clinical_record)
    assert ids(first) == ids(second) == ids(by_bob)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in by_bob["entry"]]
    assert first["id"] != second["id"]  # two exports, two Bundles


def test_it_exports_the_record_for_a_clinician_and_audits_it(
    clinical_record: Patient, client_for: ClientFor, bob: User
) -> None:
    bundle = export_for(client_for(bob), clinical_record)
    Bundle.model_validate(bundle)
    (patient,) = resources(bundle, "Patient")
    assert patient["id"] == str(clinical_record.pk)
    event = AuditEvent.objects.get(patient=clinical_record, action=AuditAction.EXPORT)
    assert (event.actor, event.object_type) == (bob, AuditObject.DATA_EXPORT_FHIR)


def test_it_answers_404_to_another_organizations_clinician(
    clinical_record: Patient, client_for: ClientFor, carol: User
) -> None:
    url = reverse("rights:patient_export_fhir", args=[clinical_record.pk])
    assert client_for(carol).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_it_offers_export_fhir_on_the_patient_record(
    alice: Patient, client_for: ClientFor, bob: User
) -> None:
    page = client_for(bob).get(reverse("patients:detail", args=[alice.pk]))
    url = reverse("rights:patient_export_fhir", args=[alice.pk])
    assert f'href="{url}" download>Export FHIR</a>'.encode() in page.content
