"""The patient's one-click download of everything Waymark holds about them (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.patients.models import Patient
from waymark.rights.tests.conftest import DANA_ONLY, DRAFT_ONLY, ERIN_ONLY, MARKERS

ClientFor = Callable[[User | None], Client]
# Each kind of data Alice has in `full_record`, by the export's section name.
KINDS = (
    "episodes", "program_stays", "care_team", "checkins", "substance_uses",
    "coping_tool_uses", "plan_versions", "questionnaire_responses", "medications",
    "clinical_notes", "clinical_note_addenda", "alerts", "alert_occurrences",
    "risk_assessment", "devices",
)  # fmt: skip


def download(client: Client) -> tuple[dict, str]:
    response = client.get(reverse("rights:export_json"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    return json.loads(text), text


def test_it_exports_each_kind_of_the_patients_data(
    full_record: Patient, client_for: ClientFor
) -> None:
    document, text = download(client_for(full_record.user))
    empty = [kind for kind in KINDS if not document[kind]]
    assert empty == []
    assert document["patient"]["preferred_name"] == "Alice"
    assert document["patient"]["date_of_birth"] == "1994-05-17"
    assert document["account"]["email"] == "alice@example.org"
    for marker in MARKERS.values():
        assert marker in text, marker
    assert document["clinical_notes"][0]["author"] == "Bob", "staff appear by name"
    assert document["questionnaire_responses"][0]["questionnaire"].startswith("PHQ-9")


def test_it_exports_nothing_of_another_patient_or_organization(
    full_record: Patient, client_for: ClientFor
) -> None:
    _, text = download(client_for(full_record.user))
    assert DANA_ONLY not in text and ERIN_ONLY not in text
    assert "Dana" not in text and "Erin" not in text and "Harbour" not in text


def test_it_leaves_out_draft_notes_and_secrets(full_record: Patient, client_for: ClientFor) -> None:
    document, text = download(client_for(full_record.user))
    assert DRAFT_ONLY not in text, "a draft is not yet part of the record"
    assert len(document["clinical_notes"]) == 1
    assert "token_hash" not in text and "password" not in text


def test_it_audits_the_download_even_by_the_patient(
    full_record: Patient, client_for: ClientFor
) -> None:
    download(client_for(full_record.user))
    event = AuditEvent.objects.get(patient=full_record, action=AuditAction.EXPORT)
    assert (event.object_type, event.actor_id) == (AuditObject.DATA_EXPORT, full_record.user_id)
    document, _ = download(client_for(full_record.user))
    assert any(row["object_type"] == "data_export" for row in document["access_log"])


def test_it_gives_dana_her_own_record(
    full_record: Patient, dana: Patient, client_for: ClientFor
) -> None:
    document, text = download(client_for(dana.user))
    assert document["patient"]["id"] == str(dana.pk)
    assert DANA_ONLY in text
    assert all(marker not in text for marker in MARKERS.values())


def test_it_refuses_staff_and_anonymous(alice: Patient, bob: User, client_for: ClientFor) -> None:
    assert client_for(bob).get(reverse("rights:export_json")).status_code == 403
    assert client_for(None).get(reverse("rights:export_fhir")).status_code == 302


def test_it_links_both_downloads_from_the_patients_home(
    alice: Patient, client_for: ClientFor
) -> None:
    page = client_for(alice.user).get(reverse("patients:me")).content.decode()
    assert reverse("rights:export_json") in page and reverse("rights:export_fhir") in page
