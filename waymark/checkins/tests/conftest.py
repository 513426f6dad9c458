"""Fixtures for the check-ins tests: answers, and submitting them.

Alice and Dana (waymark/conftest.py) live in America/New_York (Northstar's time zone); the
clock (`frozen`, NOW) is waymark/conftest.py's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from waymark.checkins.services import CheckInData, CheckInResult, UseData, submit_checkin
from waymark.conftest import NOW, TODAY
from waymark.patients.models import Patient


def answers(day: dt.date = TODAY, **overrides: Any) -> CheckInData:
    """A calm day's answers; override what a test is about."""
    values: dict[str, Any] = {
        "local_date": day,
        "craving": 3,
        "mood": 4,
        "sleep_hours": Decimal("7.5"),
        "sleep_quality": 4,
        "stress": 2,
        "safety_concern": False,
    }
    values.update(overrides)
    if "uses" in overrides:
        values["uses"] = tuple(
            use if isinstance(use, UseData) else UseData(*use) for use in overrides["uses"]
        )
    return CheckInData(**values)


Submit = Callable[..., CheckInResult]


@pytest.fixture
def submit() -> Submit:
    """submit(patient, day=TODAY, key=None, **answers) through the service."""

    def run(
        patient: Patient, day: dt.date = TODAY, key: uuid.UUID | None = None, **overrides: Any
    ) -> CheckInResult:
        return submit_checkin(patient, answers(day, **overrides), key=key or uuid.uuid4())

    return run


@pytest.fixture
def check_in(frozen: time_machine.Traveller) -> Callable[..., None]:
    """check_in(patient, back, **answers): the check-in of `back` days ago, made that day."""

    def run(patient: Patient, back: int = 0, **overrides: Any) -> None:
        frozen.move_to(NOW - dt.timedelta(days=back))
        submit_checkin(
            patient, answers(TODAY - dt.timedelta(days=back), **overrides), key=uuid.uuid4()
        )
        frozen.move_to(NOW)

    return run


@pytest.fixture
def alcohol_three_days_apart(alice: Patient, check_in: Callable[..., None]) -> Patient:
    """Alice, four days into recovery, reporting alcohol three days ago and again today:
    not after a break (the tolerance rule's threshold), yet still alcohol."""
    alice.recovery_start_date = TODAY - dt.timedelta(days=4)
    alice.save()
    check_in(alice, 3, uses=[("alcohol", "")])
    check_in(alice, 0, uses=[("alcohol", "")])
    return alice


def form_data(day: dt.date = TODAY, **overrides: Any) -> dict[str, Any]:
    """What the no-JavaScript check-in form posts for a calm day."""
    data: dict[str, Any] = {
        "idempotency_key": str(uuid.uuid4()),
        "date": day.isoformat(),
        "craving": "3",
        "mood": "4",
        "sleep_hours": "7.5",
        "sleep_quality": "4",
        "stress": "2",
        "safety": "no",
        "note": "",
    }
    data.update(overrides)
    return data


# A calm day's answers as the API takes them (JSON), without the key and the day.
CALM_DAY_JSON: dict[str, Any] = {
    "craving": 3,
    "mood": 4,
    "sleep_hours": 7.5,
    "sleep_quality": 4,
    "stress": 2,
    "safety_concern": False,
}


def two_visits(client: Client, url: str) -> tuple[str, str]:
    """The page's HTML on a first visit and on the next (a milestone is celebrated once)."""
    return client.get(url).content.decode(), client.get(url).content.decode()


def api_body(**overrides: Any) -> dict[str, Any]:
    """What a phone posts to /api/v1/checkins for a calm day."""
    body: dict[str, Any] = {
        "idempotency_key": str(uuid.uuid4()),
        "date": TODAY.isoformat(),
        **CALM_DAY_JSON,
    }
    body.update(overrides)
    return body
