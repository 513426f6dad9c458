"""/api/v1/patients/{patient_id}/notes: the same rules as the pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from waymark.accounts.models import User
from waymark.audit.models import AuditAction
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.notes.tests.conftest import COMPLETE_DAP, stored_addendum
from waymark.patients.models import Patient
from waymark.testing.audit import audited

ClientFor = Callable[[User | None], Client]


def notes_url(patient_id: object, *rest: object) -> str:
    return "/".join([f"/api/v1/patients/{patient_id}/notes", *map(str, rest)])


def post(client: Client, address: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(address, json.dumps(body or {}), content_type="application/json")


def test_it_lists_notes_with_sections_and_addenda_and_audits_the_read(
    signed: ClinicalNote, olivia: User, client_for: ClientFor
) -> None:
    stored_addendum(signed, "Correction.", signed.signed_at)
    response = client_for(olivia).get(notes_url(signed.patient_id))
    [item] = response.json()["items"]
    assert item["status"] == "signed" and item["author"] == "Bob"
    assert item["sections"] == COMPLETE_DAP
    assert [a["text"] for a in item["addenda"]] == ["Correction."]
    assert audited(actor=olivia, action=AuditAction.VIEW, object_type="clinical_notes")


def test_it_creates_a_draft_or_a_signed_note(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    draft = post(client, notes_url(alice.pk), {"format": "soap", "subjective": "Low."})
    signed = post(client, notes_url(alice.pk), {"format": "dap", **COMPLETE_DAP, "sign": True})
    assert (draft.status_code, draft.json()["status"]) == (201, "draft")
    assert draft.json()["sections"] == {
        "subjective": "Low.",
        "objective": "",
        "assessment": "",
        "plan": "",
    }
    assert (signed.status_code, signed.json()["status"]) == (201, "signed")
    assert ClinicalNote.objects.filter(signed_at__isnull=False).count() == 1


def test_it_names_the_field_of_an_invalid_note(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    too_long = post(client, notes_url(alice.pk), {"format": "dap", "plan": "x" * 10_001})
    unknown = post(client, notes_url(alice.pk), {"format": "dap", "summary": "?"})
    bad_format = post(client, notes_url(alice.pk), {"format": "birp"})
    wrong_section = post(client, notes_url(alice.pk), {"format": "dap", "subjective": "S"})
    incomplete = post(client, notes_url(alice.pk), {"format": "dap", "data": "D", "sign": True})
    assert too_long.status_code == unknown.status_code == bad_format.status_code == 422
    assert next(iter(too_long.json()["errors"])).split(".")[-1] == "plan"
    assert next(iter(unknown.json()["errors"])).split(".")[-1] == "summary"
    assert next(iter(bad_format.json()["errors"])).split(".")[-1] == "format"
    assert (wrong_section.status_code, list(wrong_section.json()["errors"])) == (
        422,
        ["subjective"],
    )
    assert (incomplete.status_code, list(incomplete.json()["errors"])) == (422, ["assessment"])
    assert not ClinicalNote.objects.exists()


def test_it_refuses_signing_someone_elses_note_with_the_reason(
    draft: ClinicalNote, grace: User, client_for: ClientFor
) -> None:
    response = post(client_for(grace), notes_url(draft.patient_id, draft.pk, "sign"))
    assert response.status_code == 403
    message = (
        "Only the author of this note, Bob, can sign it. Ask them to finish it, or "
        "write a note of your own."
    )
    assert response.json() == {
        "code": "not_author",
        "message": message,
        "errors": {"__all__": [message]},
    }
    assert ClinicalNote.objects.get(pk=draft.pk).signed_at is None


def test_it_signs_once_and_then_refuses(
    draft: ClinicalNote, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    first = post(client, notes_url(draft.patient_id, draft.pk, "sign"))
    again = post(client, notes_url(draft.patient_id, draft.pk, "sign"))
    assert (first.status_code, first.json()["status"]) == (200, "signed")
    assert (again.status_code, again.json()["code"]) == (409, "signed")


def test_it_adds_addenda_to_signed_notes_only(
    draft: ClinicalNote, signed: ClinicalNote, grace: User, client_for: ClientFor
) -> None:
    client = client_for(grace)
    added = post(client, notes_url(signed.patient_id, signed.pk, "addenda"), {"text": "Also."})
    to_draft = post(client, notes_url(draft.patient_id, draft.pk, "addenda"), {"text": "No."})
    empty = post(client, notes_url(signed.patient_id, signed.pk, "addenda"), {"text": " "})
    assert (added.status_code, added.json()["author"]) == (201, "Grace")
    assert (to_draft.status_code, to_draft.json()["code"]) == (409, "draft")
    assert (empty.status_code, list(empty.json()["errors"])) == (422, ["text"])
    assert NoteAddendum.objects.count() == 1


def test_it_lets_only_clinicians_write_and_hides_other_organizations(
    alice: Patient, olivia: User, carol: User, client_for: ClientFor
) -> None:
    body = {"format": "dap", **COMPLETE_DAP}
    assert post(client_for(olivia), notes_url(alice.pk), body).status_code == 403
    assert post(client_for(carol), notes_url(alice.pk), body).status_code == 404
    assert client_for(carol).get(notes_url(alice.pk)).status_code == 404
    assert not ClinicalNote.objects.exists()
