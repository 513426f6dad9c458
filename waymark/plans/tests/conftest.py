"""Plans tests: every one runs on the frozen clock (waymark/conftest.py); a check-in helper."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.test import Client

from waymark.checkins.models import CheckIn
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.conftest import NOW, TODAY
from waymark.patients.models import Patient


@pytest.fixture(autouse=True)
def _on_the_frozen_clock(frozen: time_machine.Traveller) -> None:
    """Every plans test runs at NOW."""


def check_in(patient: Patient, days_ago: int = 0, **overrides: Any) -> CheckIn:
    """A check-in made on its own day (the clock moved back `days_ago` days)."""
    day = TODAY - dt.timedelta(days=days_ago)
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        return submit_checkin(patient, answers(day, **overrides), key=uuid.uuid4()).checkin


PLAN_FORM: dict[str, str] = {
    "triggers": "Stress\nFriday nights",
    "warning_signs": "Skipping meals",
    "coping": "Stress: walk, then call my sister",
    "routines": "Bed by 11",
    "contacts": "Jo, 555-0100\nSponsor: +1 (212) 555-0199",
    "avoid": "The Anchor pub",
    "reasons": "To be there for my daughter",
    "after_lapse": "Tell Bob the next morning",
}


def edited_by_the_clinician(
    patients: Client,
    clinicians: Client,
    mine: str,
    theirs: str,
    form: dict[str, str],
    **change: str,
) -> str:
    """The patient saves `form` on her page (`mine`); the clinician saves it again with
    `change` on the patient's page (`theirs`) and opens that page: its HTML."""
    assert patients.post(mine, form).status_code == 302
    assert clinicians.post(theirs, {**form, **change}).status_code == 302
    return clinicians.get(theirs).content.decode()


SAFETY_FORM: dict[str, str] = {
    "warning_signs": "Not sleeping\nPulling away from people",
    "on_my_own": "Hot shower\nMusic with headphones",
    "distraction": "The library\nMy cousin's kitchen",
    "people": "Jo, 555-0100\nMum: +44 7700 900123",
    "professionals": "Dr Patel, 555-0177",
    "safer_surroundings": "Ask Jo to keep my tablets\nTake old medicines back to the pharmacy",
    "reasons": "My daughter\nSeeing the sea again",
}
