"""Shared pieces of the URL × persona access matrix.

Each app lists its own URLs in `waymark/<app>/tests/access_rows.py` as
`ROWS: dict[str, Row]`; organizations/tests/test_access_matrix.py collects them all
and fails on any URL that no app lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from waymark.accounts.models import ApiToken, User
from waymark.patients.models import Patient

PERSONAS = ("anonymous", "patient", "other_patient", "clinician", "other_org_clinician",
            "org_admin", "supporter")  # fmt: skip


@dataclass
class World:
    users: dict[str, User | None]
    alice: Patient
    bobs_token: ApiToken


@dataclass
class Row:
    """What each persona gets from one URL (status codes), and how to call it."""

    expect: dict[str, int]
    method: str = "get"
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    data: dict[str, Any] = field(default_factory=dict)
    wrong_method: str | None = "post"


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


SIGNED_IN_ONLY = everyone(200, anonymous=302)
PATIENTS_ONLY = everyone(403, anonymous=302, patient=200, other_patient=200)
STAFF_ONLY = everyone(403, anonymous=302, clinician=200, other_org_clinician=200, org_admin=200)
ALICE_RECORD = everyone(403, anonymous=302, clinician=200, org_admin=200, other_org_clinician=404)
API_SIGNED_IN = everyone(200, anonymous=401)
API_STAFF = everyone(403, anonymous=401, clinician=200, other_org_clinician=200, org_admin=200)
API_ALICE = everyone(403, anonymous=401, clinician=200, org_admin=200, other_org_clinician=404)


def alice_id(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk}


def bobs_token(world: World) -> dict[str, Any]:
    return {"token_id": world.bobs_token.pk}
