"""Every URL of the check-ins app × persona (collected by test_access_matrix.py).

Alice (patient) is in residential care; Dana (other_patient) is in detox. Rows that need
an object make it for Alice through the services, so the other patient gets a 404.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from waymark.checkins.models import CheckIn
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.organizations.tests.matrix import (
    API_ALICE,
    PATIENTS_ONLY,
    Row,
    World,
    alice_id,
    everyone,
)

ALICES_KEY = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
PATIENT_API = everyone(403, anonymous=401, patient=200, other_patient=200)
CHECKIN_BODY: dict[str, Any] = {
    "idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c001",
    "craving": 3,
    "mood": 4,
    "sleep_hours": 7.5,
    "sleep_quality": 4,
    "stress": 2,
    "safety_concern": False,
}


def alices_checkin(world: World) -> CheckIn:
    """Alice's check-in for today, with a lapse (the same one however often it is asked for)."""
    data = CheckInData(
        local_date=world.alice.local_today(),
        craving=4,
        mood=3,
        sleep_hours=Decimal("6.5"),
        sleep_quality=3,
        stress=5,
        safety_concern=False,
        uses=(UseData("alcohol", "2 drinks"),),
    )
    return submit_checkin(world.alice, data, key=ALICES_KEY).checkin


def alices_day(world: World) -> dict[str, Any]:
    return {"day": alices_checkin(world).local_date.isoformat()}


def alices_lapse(world: World) -> dict[str, Any]:
    return {"use_id": alices_checkin(world).uses.get().pk}


ROWS: dict[str, Row] = {
    "checkins:today": Row(PATIENTS_ONLY, wrong_method="put"),
    "checkins:done": Row(
        everyone(403, anonymous=302, patient=200, other_patient=404), kwargs=alices_day
    ),
    "checkins:recovery": Row(PATIENTS_ONLY),
    "checkins:lapse_note": Row(
        everyone(403, anonymous=302, patient=302, other_patient=404),
        method="post",
        kwargs=alices_lapse,
        data={"note": "Met an old friend."},
        wrong_method="get",
    ),
    # Alice is not in detox: she is told where to check in instead (200).
    "checkins:withdrawal": Row(PATIENTS_ONLY, wrong_method="put"),
    # An expired form (no key) sends the patient back to the log with a message.
    "checkins:talk_to_staff": Row(
        everyone(403, anonymous=302, patient=302, other_patient=302),
        method="post",
        wrong_method="get",
    ),
    # The app shell holds no patient data.
    "checkins:service_worker": Row(everyone(200)),
    "checkins:manifest": Row(everyone(200)),
    "api:create_checkin": Row(
        everyone(403, anonymous=401, patient=201, other_patient=201),
        method="post",
        data=CHECKIN_BODY,
        wrong_method="put",
    ),
    "api:list_checkins": Row(PATIENT_API, wrong_method="put"),
    "api:list_patient_checkins": Row(API_ALICE, kwargs=alice_id),
    # Alice is not in detox (409); Dana is.
    "api:create_withdrawal_entry": Row(
        everyone(403, anonymous=401, patient=409, other_patient=201),
        method="post",
        data={"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c002", "craving": 2},
        wrong_method="put",
    ),
    "api:list_withdrawal_entries": Row(PATIENT_API, wrong_method="put"),
    "api:my_counters": Row(PATIENT_API),
}
