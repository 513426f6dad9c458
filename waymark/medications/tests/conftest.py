"""Helpers for the medications tests."""

from __future__ import annotations

import pytest
import time_machine


@pytest.fixture(autouse=True)
def _on_the_frozen_clock(frozen: time_machine.Traveller) -> None:
    """Every medications test runs at NOW (waymark/conftest.py): every patient's "today"
    is the personas' TODAY (2026-11-27)."""
