from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from waymark.access import Capability
from waymark.conftest import make_member
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.notes.tests.conftest import stored_addendum
from waymark.organizations.models import Role
from waymark.organizations.tests.matrix import Row, Target, World, alice_id, created, posted

READ, WRITE, ALICE = Capability.READ_NOTES, Capability.WRITE_NOTES, Target.ALICE


def _note(world: World, *, signed: bool, by_a_colleague: bool = False) -> ClinicalNote:
    author = world.user("clinician")
    if by_a_colleague:
        author = make_member(
            world.alice.organization, f"trainee-{uuid.uuid4().hex[:8]}", Role.CLINICIAN
        )
    return ClinicalNote.objects.create(
        organization=world.alice.organization,
        patient=world.alice,
        author=author,
        needs_cosign=by_a_colleague,
        format=NoteFormat.DAP,
        data="Session notes.",
        assessment="Stable.",
        plan="Review next week.",
        signed_at=timezone.now() if signed else None,
    )


def bobs_draft(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk, "note_id": _note(world, signed=False).pk}


def bobs_signed_note(world: World) -> dict[str, Any]:
    note = _note(world, signed=True)
    stored_addendum(note, "Addendum.", timezone.now())
    return {"patient_id": world.alice.pk, "note_id": note.pk}


def colleagues_note_to_cosign(world: World) -> dict[str, Any]:
    """A signed note by a trainee colleague of Bob's, waiting for co-signature."""
    note = _note(world, signed=True, by_a_colleague=True)
    return {"patient_id": world.alice.pk, "note_id": note.pk}


CORRECTION = {"text": "A correction."}

ROWS: dict[str, Row] = {
    "notes:list": Row(READ, target=ALICE, kwargs=alice_id),
    "notes:new": Row(WRITE, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "notes:detail": Row(READ, target=ALICE, kwargs=bobs_signed_note),
    "notes:edit": Row(WRITE, target=ALICE, kwargs=bobs_draft, wrong_method="put"),
    "notes:sign": posted(WRITE, target=ALICE, kwargs=bobs_draft),
    "notes:add_addendum": posted(WRITE, target=ALICE, kwargs=bobs_signed_note, data=CORRECTION),
    "notes:cosign": posted(WRITE, target=ALICE, kwargs=colleagues_note_to_cosign),
    "api:cosign_patient_note": posted(
        WRITE, ok=200, target=ALICE, kwargs=colleagues_note_to_cosign
    ),
    "api:list_patient_notes": Row(READ, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "api:create_patient_note": created(
        WRITE, target=ALICE, kwargs=alice_id, data={"format": "dap", "data": "Seen today."}
    ),
    "api:sign_patient_note": posted(WRITE, ok=200, target=ALICE, kwargs=bobs_draft),
    "api:add_patient_note_addendum": posted(
        WRITE, ok=201, target=ALICE, kwargs=bobs_signed_note, data=CORRECTION
    ),
}
