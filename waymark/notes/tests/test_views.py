"""The notes pages: list, write, edit, sign, addenda; who may do what."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.notes.tests.conftest import COMPLETE_DAP, SESSION
from waymark.patients.models import Patient
from waymark.testing.audit import audited
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]


def url(name: str, note: ClinicalNote) -> str:
    return reverse(name, args=[note.patient_id, note.pk])


def test_it_lists_a_patients_notes_with_their_status(
    draft: ClinicalNote, signed: ClinicalNote, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(reverse("notes:list", args=[draft.patient_id]))
    assert [note.pk for note in response.context["page"]] == [signed.pk, draft.pk]
    content = response.content.decode()
    assert "Draft — not signed" in content and "Signed " in content
    assert "Never shown to the patient" in content
    assert reverse("notes:new", args=[draft.patient_id]) in content


def test_it_shows_admins_the_notes_without_a_new_note_link(
    signed: ClinicalNote, olivia: User, client_for: ClientFor
) -> None:
    response = client_for(olivia).get(reverse("notes:list", args=[signed.patient_id]))
    assert response.status_code == 200
    assert reverse("notes:new", args=[signed.patient_id]) not in response.content.decode()


def test_it_offers_dap_by_default_and_soap_on_request(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    dap = client.get(reverse("notes:new", args=[alice.pk])).context["form"]
    soap = client.get(reverse("notes:new", args=[alice.pk]) + "?format=soap").context["form"]
    session = ["session_date", "session_time", "duration_minutes", "service_type"]
    assert list(dap.fields) == [*session, "answers_alert", "data", "assessment", "plan"]
    assert list(soap.fields)[5:] == ["subjective", "objective", "assessment", "plan"]


def test_it_saves_a_draft_then_shows_it(alice: Patient, bob: User, client_for: ClientFor) -> None:
    response = client_for(bob).post(
        reverse("notes:new", args=[alice.pk]),
        {"format": "soap", **SESSION, "subjective": "Feels low.", "save": ""},
    )
    note = ClinicalNote.objects.get()
    assert response.status_code == 302 and response["Location"] == url("notes:detail", note)
    assert (note.format, note.subjective, note.author, note.is_signed) == (
        "soap",
        "Feels low.",
        bob,
        False,
    )
    assert audited(action=AuditAction.CREATE, object_type="clinical_note", object_id=str(note.pk))


def test_it_saves_and_signs_in_one_step(alice: Patient, bob: User, client_for: ClientFor) -> None:
    client_for(bob).post(
        reverse("notes:new", args=[alice.pk]),
        {"format": "dap", **SESSION, **COMPLETE_DAP, "sign": "1"},
    )
    assert ClinicalNote.objects.get().is_signed


def test_it_shows_a_missing_section_on_its_field_and_writes_nothing(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).post(
        reverse("notes:new", args=[alice.pk]),
        {"format": "dap", **SESSION, "data": "Seen.", "assessment": "Ok.", "sign": "1"},
    )
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    assert "Write the Plan section before signing" in response.context["form"].errors["plan"][0]
    assert not ClinicalNote.objects.exists()


def test_it_refuses_an_empty_note(alice: Patient, bob: User, client_for: ClientFor) -> None:
    response = client_for(bob).post(
        reverse("notes:new", args=[alice.pk]), {"format": "dap", **SESSION}
    )
    assert response.context["form"].non_field_errors() == [
        "Write at least one section before saving the note."
    ]
    assert not ClinicalNote.objects.exists()


def test_it_refuses_an_absurdly_long_section(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).post(
        reverse("notes:new", args=[alice.pk]), {"format": "dap", **SESSION, "data": "x" * 20_000}
    )
    assert "at most 10000 characters" in response.context["form"].errors["data"][0]
    assert not ClinicalNote.objects.exists()


def test_it_lets_the_author_edit_the_draft(
    draft: ClinicalNote, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    assert (
        client.get(url("notes:edit", draft)).context["form"].initial["plan"] == COMPLETE_DAP["plan"]
    )
    client.post(url("notes:edit", draft), {**SESSION, **COMPLETE_DAP, "plan": "New plan."})
    draft.refresh_from_db()
    assert (draft.plan, draft.is_signed) == ("New plan.", False)


def test_it_refuses_editing_someone_elses_draft_with_a_message(
    draft: ClinicalNote, grace: User, client_for: ClientFor
) -> None:
    response = client_for(grace).post(url("notes:edit", draft), {**COMPLETE_DAP, "plan": "X"})
    assert response.status_code == 403
    assert "Only the author of this note, Bob, can edit it." in response.content.decode()
    assert ClinicalNote.objects.get(pk=draft.pk).plan == COMPLETE_DAP["plan"]


def test_it_refuses_signing_someone_elses_note_with_a_message_and_writes_nothing(
    draft: ClinicalNote, grace: User, client_for: ClientFor
) -> None:
    response = client_for(grace).post(url("notes:sign", draft))
    assert response.status_code == 403
    assert "Only the author of this note, Bob, can sign it." in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    assert ClinicalNote.objects.get(pk=draft.pk).signed_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_it_signs_the_authors_draft(draft: ClinicalNote, bob: User, client_for: ClientFor) -> None:
    response = client_for(bob).post(url("notes:sign", draft))
    assert response["Location"] == url("notes:detail", draft)
    assert ClinicalNote.objects.get(pk=draft.pk).is_signed


def test_it_sends_an_incomplete_draft_back_to_editing(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    client.post(
        reverse("notes:new", args=[alice.pk]), {"format": "dap", **SESSION, "data": "Seen."}
    )
    note = ClinicalNote.objects.get()
    response = client.post(url("notes:sign", note), follow=True)
    assert response.redirect_chain[-1][0] == url("notes:edit", note)
    assert "Write the Assessment section before signing" in response.content.decode()
    assert not ClinicalNote.objects.get().is_signed


def test_it_refuses_to_edit_a_signed_note(
    signed: ClinicalNote, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).post(url("notes:edit", signed), {**COMPLETE_DAP, "plan": "X"})
    assert response.status_code == 409
    assert "Add an addendum to correct it." in response.content.decode()


def test_it_shows_a_signed_note_with_its_addenda_and_an_addendum_form(
    signed: ClinicalNote, grace: User, client_for: ClientFor
) -> None:
    client = client_for(grace)
    response = client.post(url("notes:add_addendum", signed), {"text": "Correction: 45 min."})
    assert response["Location"] == url("notes:detail", signed)
    page = client.get(url("notes:detail", signed))
    assert "Correction: 45 min." in page.content.decode()
    assert page.context["addendum_form"] is not None
    assert NoteAddendum.objects.get().author == grace


def test_it_shows_an_empty_addendum_as_a_field_error(
    signed: ClinicalNote, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).post(url("notes:add_addendum", signed), {"text": "  "})
    assert response.status_code == 422
    assert response.context["addendum_form"].errors["text"]
    assert not NoteAddendum.objects.exists()


def test_it_offers_edit_and_sign_only_to_the_author(
    draft: ClinicalNote, bob: User, grace: User, client_for: ClientFor
) -> None:
    own = client_for(bob).get(url("notes:detail", draft)).content.decode()
    other = client_for(grace).get(url("notes:detail", draft)).content.decode()
    assert url("notes:sign", draft) in own and url("notes:edit", draft) in own
    assert url("notes:sign", draft) not in other
    assert "only by its author, Bob" in other


def test_it_audits_each_view_of_a_note(
    signed: ClinicalNote, olivia: User, client_for: ClientFor
) -> None:
    client_for(olivia).get(url("notes:detail", signed))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.object_type, event.object_id, event.patient_id) == (
        olivia,
        "clinical_note",
        str(signed.pk),
        signed.patient_id,
    )


def test_it_answers_404_for_another_organization_or_another_patients_note(
    signed: ClinicalNote, dana: Patient, carol: User, bob: User, client_for: ClientFor
) -> None:
    assert client_for(carol).get(url("notes:detail", signed)).status_code == 404
    under_dana = reverse("notes:detail", args=[dana.pk, signed.pk])
    assert client_for(bob).get(under_dana).status_code == 404


@pytest.mark.parametrize("persona", ["patient", "supporter"])
def test_it_never_shows_notes_to_the_patient_or_a_supporter(
    signed: ClinicalNote, sam: User, client_for: ClientFor, persona: str
) -> None:
    user = signed.patient.user if persona == "patient" else sam
    client = client_for(user)
    for address in (url("notes:detail", signed), reverse("notes:list", args=[signed.patient_id])):
        assert client.get(address).status_code == 403
    assert client.get(f"/api/v1/patients/{signed.patient_id}/notes").status_code == 403
    if persona == "patient":
        home = client.get(reverse("patients:me")).content.decode()
        assert COMPLETE_DAP["assessment"] not in home


def test_it_puts_recent_notes_and_a_new_note_link_on_the_patient_record(
    signed: ClinicalNote, draft: ClinicalNote, bob: User, olivia: User, client_for: ClientFor
) -> None:
    clinician_view = record_panel(client_for(bob), signed.patient_id, "notes")
    admin_view = record_panel(client_for(olivia), signed.patient_id, "notes")
    new_note = reverse("notes:new", args=[signed.patient_id])
    assert (
        url("notes:detail", signed) in clinician_view
        and url("notes:detail", draft) in clinician_view
    )
    assert new_note in clinician_view and new_note not in admin_view
    assert COMPLETE_DAP["assessment"] in clinician_view
