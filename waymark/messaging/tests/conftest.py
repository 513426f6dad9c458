"""Every messaging test runs on the one frozen clock (waymark/conftest.py)."""

from __future__ import annotations

import pytest
import time_machine


@pytest.fixture(autouse=True)
def _on_the_frozen_clock(frozen: time_machine.Traveller) -> None:
    pass
