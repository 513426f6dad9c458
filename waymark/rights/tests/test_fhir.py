"""The patient's record as a FHIR R4 Bundle: valid, standing alone, theirs only."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.patients.models import Patient
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
