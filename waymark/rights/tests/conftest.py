"""Alice's record with one of each kind of data, each holding a marker no other row has,
and a little of Dana's (same organization) and Erin's (another) to prove they stay out."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.conftest import TODAY, actor, make_member
from waymark.medications.services import MedicationData, add_medication
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.notes.services import add_addendum, start_note
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Patient
from waymark.plans.services import record_coping_use, save_plan
from waymark.questionnaires.tests.helpers import phq9, submitted

MARKERS = {
    "checkin": "Marker-checkin-note-7f3a",
    "use": "Marker-use-amount-91bc",
    "plan": "Marker-plan-reason-22de",
    "medication": "Marker-medication-dose-5e61",
    "note": "Marker-signed-note-data-a0c4",
    "addendum": "Marker-addendum-text-3b9f",
}
DRAFT_ONLY = "Marker-draft-note-never-exported-6d11"
DANA_ONLY = "Marker-dana-checkin-4c2e"
ERIN_ONLY = "Marker-erin-checkin-8e57"


@pytest.fixture(autouse=True)
def _frozen(frozen: time_machine.Traveller) -> None:
    """Every test here runs on the personas' clock."""


def checkin(patient: Patient, note: str, *, uses: tuple[UseData, ...] = ()) -> None:
    data = CheckInData(
        local_date=TODAY, craving=7, mood=2, sleep_hours=Decimal("6.5"), sleep_quality=3,
        stress=6, safety_concern=False, uses=uses, note=note,
    )  # fmt: skip
    submit_checkin(patient, data, key=uuid.uuid4())


@pytest.fixture
def hana(harbour: Organization) -> User:
    """Harbour House's organization admin."""
    return make_member(harbour, "hana", Role.ADMIN)


@pytest.fixture
def signed_note(alice: Patient, bob: User) -> ClinicalNote:
    sections = {"data": MARKERS["note"], "assessment": "Engaged.", "plan": "Review next week."}
    note = start_note(actor(bob), alice, note_format=NoteFormat.DAP, sections=sections, sign=True)
    add_addendum(actor(bob), note, MARKERS["addendum"])
    return note


@pytest.fixture
def full_record(alice: Patient, bob: User, signed_note: ClinicalNote, dana: Patient,
                erin: Patient) -> Patient:  # fmt: skip
    """Alice with a check-in and a lapse (which raises an alert), a PHQ-9, a plan, a
    coping-tool use, a medication, a signed note with an addendum, a draft note and a
    device; Dana and Erin with a check-in each."""
    checkin(alice, MARKERS["checkin"], uses=(UseData("ketamine", MARKERS["use"]),))
    submitted(alice, "phq-9", phq9())
    save_plan(alice, {"reasons": [MARKERS["plan"]]}, actor=actor(alice.user))
    record_coping_use(alice, "breathing", before=7, after=4)
    add_medication(
        actor(bob), alice,
        MedicationData(name="Naltrexone", drug_class="naltrexone", dose=MARKERS["medication"]),
    )  # fmt: skip
    start_note(actor(bob), alice, note_format=NoteFormat.DAP, sections={"data": DRAFT_ONLY})
    issue_api_token(alice.user, "Alice's phone")
    checkin(dana, DANA_ONLY)
    checkin(erin, ERIN_ONLY)
    return alice


def years_later(years: int) -> dt.datetime:
    """Noon UTC on TODAY's date `years` on (a date that exists in every year)."""
    return dt.datetime.combine(TODAY.replace(year=TODAY.year + years), dt.time(12), tzinfo=dt.UTC)
