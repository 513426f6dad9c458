"""Helpers for the medications tests."""

from __future__ import annotations

import pytest

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.conftest import TODAY
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient


def actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user), request_id="test")


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every patient's "today" is the personas' TODAY (2026-11-27)."""
    monkeypatch.setattr(Patient, "local_today", lambda self: TODAY)
