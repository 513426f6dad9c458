"""Drafting, editing, signing and addenda through notes.services."""

from __future__ import annotations

import pytest

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.conftest import actor
from waymark.errors import ServiceError
from waymark.notes.models import ClinicalNote, NoteAddendum, NoteFormat
from waymark.notes.services import add_addendum, sign_note, start_note, update_draft
from waymark.notes.tests.conftest import COMPLETE_DAP
from waymark.patients.models import Patient


def audit_rows(patient: Patient) -> list[tuple[str, str, str]]:
    return [
        (event.action, event.object_type, event.object_id)
        for event in AuditEvent.objects.filter(patient=patient).order_by("id")
    ]


def test_it_saves_a_draft_by_its_author_and_audits_it(alice: Patient, bob: User) -> None:
    note = start_note(actor(bob), alice, note_format=NoteFormat.SOAP, sections={"plan": " Call "})
    note.refresh_from_db()
    assert (note.author, note.format, note.plan, note.is_signed) == (bob, "soap", "Call", False)
    assert note.organization_id == alice.organization_id
    assert audit_rows(alice) == [(AuditAction.CREATE, "clinical_note", str(note.pk))]


def test_it_signs_a_complete_draft_and_audits_the_signature(draft: ClinicalNote, bob: User) -> None:
    signed = sign_note(actor(bob), draft)
    draft.refresh_from_db()
    assert draft.signed_at == signed.signed_at is not None
    assert audit_rows(draft.patient)[-1] == (AuditAction.UPDATE, "clinical_note", str(draft.pk))


def test_it_can_write_and_sign_a_note_in_one_step(alice: Patient, bob: User) -> None:
    note = start_note(
        actor(bob), alice, note_format=NoteFormat.DAP, sections=COMPLETE_DAP, sign=True
    )
    assert ClinicalNote.objects.get(pk=note.pk).is_signed


def test_it_refuses_to_sign_someone_elses_note_and_writes_nothing(
    draft: ClinicalNote, grace: User
) -> None:
    before = audit_rows(draft.patient)
    with pytest.raises(ServiceError) as refused:
        sign_note(actor(grace), draft)
    assert (refused.value.status, refused.value.code) == (403, "not_author")
    assert "Only the author of this note, Bob, can sign it" in refused.value.message
    assert ClinicalNote.objects.get(pk=draft.pk).signed_at is None
    assert audit_rows(draft.patient) == before


def test_it_refuses_to_change_someone_elses_draft(draft: ClinicalNote, grace: User) -> None:
    with pytest.raises(ServiceError) as refused:
        update_draft(actor(grace), draft, sections={"plan": "Mine now."})
    assert refused.value.status == 403
    assert ClinicalNote.objects.get(pk=draft.pk).plan == COMPLETE_DAP["plan"]


def test_it_refuses_to_sign_with_a_section_missing_and_writes_nothing(
    alice: Patient, bob: User
) -> None:
    note = start_note(actor(bob), alice, note_format=NoteFormat.DAP, sections={"data": "Seen."})
    with pytest.raises(ServiceError) as refused:
        sign_note(actor(bob), note)
    assert (refused.value.status, refused.value.field) == (422, "assessment")
    with pytest.raises(ServiceError):
        update_draft(actor(bob), note, sections={"data": "Changed.", "plan": "P"}, sign=True)
    note.refresh_from_db()
    assert (note.signed_at, note.data, note.plan) == (None, "Seen.", "")


def test_it_refuses_any_change_to_a_signed_note_in_the_service(
    signed: ClinicalNote, bob: User
) -> None:
    for attempt in (
        lambda: update_draft(actor(bob), signed, sections={"plan": "Changed."}),
        lambda: sign_note(actor(bob), signed),
    ):
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert (refused.value.status, refused.value.code) == (409, "signed")
    assert ClinicalNote.objects.get(pk=signed.pk).plan == COMPLETE_DAP["plan"]


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"subjective": "Not in DAP."}, "subjective"),
        ({"summary": "No such section."}, "summary"),
        ({"plan": "x" * 10_001}, "plan"),
        ({"data": "   "}, "__all__"),  # an empty note is no note
    ],
)
def test_it_refuses_bad_sections_naming_the_field(
    alice: Patient, bob: User, sections: dict[str, str], field: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        start_note(actor(bob), alice, note_format=NoteFormat.DAP, sections=sections)
    assert (refused.value.status, refused.value.field) == (422, field)
    assert not ClinicalNote.objects.exists()


def test_it_refuses_an_unknown_format(alice: Patient, bob: User) -> None:
    with pytest.raises(ServiceError) as refused:
        start_note(actor(bob), alice, note_format="birp", sections={})
    assert refused.value.field == "format"


def test_it_lets_only_clinicians_of_the_patients_organization_write(
    alice: Patient, olivia: User, carol: User
) -> None:
    for user in (olivia, carol):
        with pytest.raises(ServiceError) as refused:
            start_note(actor(user), alice, note_format=NoteFormat.DAP, sections=COMPLETE_DAP)
        assert refused.value.status == 403
    assert not ClinicalNote.objects.exists()


def test_it_adds_a_signed_addendum_by_any_clinician_of_the_team(
    signed: ClinicalNote, grace: User
) -> None:
    addendum = add_addendum(actor(grace), signed, "  Correction: 45 minutes.  ")
    stored = NoteAddendum.objects.get(pk=addendum.pk)
    assert (stored.note, stored.author, stored.text) == (signed, grace, "Correction: 45 minutes.")
    assert stored.signed_at is not None and stored.organization_id == signed.organization_id
    assert audit_rows(signed.patient)[-1] == (
        AuditAction.CREATE,
        "clinical_note_addendum",
        str(addendum.pk),
    )
    signed.refresh_from_db()
    assert signed.plan == COMPLETE_DAP["plan"]  # the note itself is untouched


def test_it_refuses_an_addendum_to_a_draft(draft: ClinicalNote, bob: User) -> None:
    with pytest.raises(ServiceError) as refused:
        add_addendum(actor(bob), draft, "Too early.")
    assert (refused.value.status, refused.value.code) == (409, "draft")
    assert not NoteAddendum.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_it_refuses_an_empty_or_absurd_addendum(signed: ClinicalNote, bob: User, text: str) -> None:
    with pytest.raises(ServiceError) as refused:
        add_addendum(actor(bob), signed, text)
    assert refused.value.field == "text"
    assert not NoteAddendum.objects.exists()
