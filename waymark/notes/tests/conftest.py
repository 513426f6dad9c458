"""Helpers for the notes tests: actors, and notes in each state."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.accounts.models import User
from waymark.conftest import actor, make_member
from waymark.notes.models import ClinicalNote, NoteAddendum, NoteFormat
from waymark.notes.services import start_note
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Patient

# The session fields of the note form (a past day, whatever the clock).
SESSION = {
    "session_date": "2026-01-15",
    "session_time": "10:30",
    "duration_minutes": "50",
    "service_type": "individual",
}

COMPLETE_DAP = {
    "data": "Seen for 50 minutes. Cravings 6/10 in the evenings.",
    "assessment": "Engaged; cravings tied to social cues.",
    "plan": "Urge surfing daily; review next week.",
}


@pytest.fixture
def grace(northstar: Organization) -> User:
    """A second clinician at Northstar, Bob's colleague."""
    return make_member(northstar, "grace", Role.CLINICIAN)


@pytest.fixture
def draft(alice: Patient, bob: User) -> ClinicalNote:
    """Bob's complete, unsigned DAP note about Alice."""
    return start_note(actor(bob), alice, note_format=NoteFormat.DAP, sections=COMPLETE_DAP)


@pytest.fixture
def signed(alice: Patient, bob: User) -> ClinicalNote:
    """Bob's signed DAP note about Alice."""
    return start_note(
        actor(bob), alice, note_format=NoteFormat.DAP, sections=COMPLETE_DAP, sign=True
    )


def stored_addendum(note: ClinicalNote, text: str, signed_at: dt.datetime | None) -> NoteAddendum:
    """An addendum by the note's author written straight to the table (no service)."""
    return NoteAddendum.objects.create(
        organization=note.organization,
        patient=note.patient,
        note=note,
        author=note.author,
        text=text,
        signed_at=signed_at,
    )
