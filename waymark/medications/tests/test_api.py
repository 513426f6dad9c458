"""/api/v1/patients/{patient_id}/medications."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.audit.models import AuditAction
from waymark.conftest import actor
from waymark.medications.models import Medication
from waymark.medications.services import MedicationData, add_medication
from waymark.patients.models import Patient
from waymark.testing.audit import audited

ClientFor = Callable[[User | None], Client]


def address(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/medications"


def post(client: Client, patient: Patient, body: dict[str, Any]) -> Any:
    return client.post(address(patient), json.dumps(body), content_type="application/json")


def test_it_lists_medications_and_flags_and_audits_the_read(
    alice: Patient, bob: User, olivia: User, client_for: ClientFor
) -> None:
    add_medication(actor(bob), alice, MedicationData(name="Naltrexone", dose="50 mg"))
    add_medication(actor(bob), alice, MedicationData(name="Spravato"))
    body = client_for(olivia).get(address(alice)).json()
    medications = {m["name"]: m for m in body["medications"]}
    assert [(m["name"], m["drug_class"], m["current"]) for m in body["medications"]] == [
        ("Naltrexone", "naltrexone", True),
        ("Spravato (esketamine)", "antidepressant", True),
    ]
    flags = {f["rule_id"]: f for f in body["flags"]}
    assert [(f["rule_id"], f["severity"], f["raises_alert"]) for f in body["flags"]] == [
        ("medication.depressed_breathing", "high", False),
        ("medication.ketamine_for_ketamine_use", "high", True),
        ("medication.ketamine_effect_unknown", "moderate", True),
    ]
    review = flags["medication.ketamine_effect_unknown"]
    assert review["medication_ids"] == sorted(m["id"] for m in medications.values())
    assert review["reason"] == (
        "Effect of ketamine treatment unknown: review: Spravato (esketamine, given as "
        "treatment) with Naltrexone."
    )
    assert review["title"] == "Effect of ketamine treatment unknown: review"
    assert review["source"].startswith("Conflicting findings: Williams NR et al.")
    assert flags["medication.depressed_breathing"]["medication_ids"] == []
    assert audited(actor=olivia, action=AuditAction.VIEW, object_type="medications")


def test_it_creates_a_medication_and_reports_the_alerts_it_raised(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = post(client_for(bob), alice, {"name": "methadone", "dose": "60 mg"})
    assert response.status_code == 201
    body = response.json()
    assert (body["medication"]["name"], body["medication"]["drug_class"]) == (
        "Methadone",
        "opioid_agonist",
    )
    assert body["alerts_raised"] == ["medication.depressed_breathing"]
    assert Alert.objects.get().evidence_id == str(body["medication"]["id"])


def test_it_accepts_a_brand_name_and_files_it_under_its_class(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = post(client_for(bob), alice, {"name": "Suboxone", "dose": "16/4 mg"})
    assert response.status_code == 201
    body = response.json()
    assert (body["medication"]["name"], body["medication"]["drug_class"]) == (
        "Suboxone (buprenorphine/naloxone)",
        "buprenorphine",
    )
    assert body["alerts_raised"] == ["medication.depressed_breathing"]
    refused = post(client_for(bob), alice, {"name": "Lyrica", "drug_class": "other"})
    assert refused.status_code == 422
    assert "Lyrica (pregabalin) is in the class" in refused.json()["errors"]["drug_class"][0]


def test_it_names_every_field_with_a_problem(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    response = post(
        client,
        alice,
        {"name": "", "dose": "x" * 500, "started_on": "2026-10-01", "stopped_on": "2026-09-01"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "dose", "stopped_on"}
    not_a_date = post(client, alice, {"name": "Methadone", "started_on": "someday"})
    assert not_a_date.status_code == 422
    assert next(iter(not_a_date.json()["errors"])).split(".")[-1] == "started_on"
    unknown = post(client, alice, {"name": "Methadone", "strength": "high"})
    assert next(iter(unknown.json()["errors"])).split(".")[-1] == "strength"
    assert not Medication.objects.exists()


def test_it_lets_only_clinicians_add_and_hides_other_organizations(
    alice: Patient, olivia: User, carol: User, client_for: ClientFor
) -> None:
    assert post(client_for(olivia), alice, {"name": "Sertraline"}).status_code == 403
    assert post(client_for(carol), alice, {"name": "Sertraline"}).status_code == 404
    assert client_for(carol).get(address(alice)).status_code == 404
    assert not Medication.objects.exists()
