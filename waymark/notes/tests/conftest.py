"""Helpers for the notes tests: actors, and notes in each state."""

from __future__ import annotations

import pytest

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.conftest import make_user
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.notes.services import start_note
from waymark.organizations.models import Organization, Role
from waymark.organizations.services import add_member, current_membership
from waymark.patients.models import Patient

COMPLETE_DAP = {
    "data": "Seen for 50 minutes. Cravings 6/10 in the evenings.",
    "assessment": "Engaged; cravings tied to social cues.",
    "plan": "Urge surfing daily; review next week.",
}


def actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user), request_id="test")


@pytest.fixture
def grace(northstar: Organization) -> User:
    """A second clinician at Northstar, Bob's colleague."""
    user = make_user("grace")
    add_member(northstar, user, Role.CLINICIAN)
    return user


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
