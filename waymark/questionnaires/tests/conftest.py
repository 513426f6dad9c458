"""Fixtures for questionnaire tests (the personas are in waymark/conftest.py).

Alice is in residential care, admitted 20 days before TODAY (27 Nov 2026, New York).
Tests that depend on dates ask for `frozen` (waymark/conftest.py: the clock stopped at NOW).
"""

from __future__ import annotations

import pytest
import time_machine

from waymark.patients.models import Patient
from waymark.questionnaires.tests.helpers import make_due


@pytest.fixture
def phq9_due(frozen: time_machine.Traveller, alice: Patient) -> Patient:
    """Alice has a PHQ-9 due today (her residential program asks for it)."""
    make_due(alice, "phq-9")
    return alice
