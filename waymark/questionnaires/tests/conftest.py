"""Fixtures for questionnaire tests (the personas are in waymark/conftest.py).

Alice is in residential care, admitted 20 days before TODAY (27 Nov 2026, New York).
Tests that depend on dates freeze time at NOW with time_machine.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine

from waymark.conftest import TODAY
from waymark.patients.models import Patient
from waymark.questionnaires.tests.helpers import make_due

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=NEW_YORK)


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    """The clock stopped at noon on TODAY in New York (Alice's time zone)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def phq9_due(frozen: time_machine.Coordinates, alice: Patient) -> Patient:
    """Alice has a PHQ-9 due today (her residential program asks for it)."""
    make_due(alice, "phq-9")
    return alice
