"""Every URL of the check-ins app × persona (collected by test_access_matrix.py).

Alice (patient) is in residential care; Dana (other_patient) is in detox. Rows that need
an object make it for Alice through the services, so the other patient gets a 404.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from waymark.access import Capability
from waymark.checkins.models import CheckIn
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.checkins.tests.conftest import CALM_DAY_JSON
from waymark.organizations.tests.matrix import Access, Row, Target, World, alice_id, created, posted

ALICES_KEY = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
OWN, ALICE = Capability.USE_PATIENT_APP, Target.ALICE
# No "date": the matrix runs on the real clock, so the check-in is for today.
CHECKIN_BODY = {"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c001", **CALM_DAY_JSON}


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


KETAMINE = {"substance": "ketamine"}

ROWS: dict[str, Row] = {
    "checkins:today": Row(OWN, wrong_method="put"),
    "checkins:done": Row(OWN, target=ALICE, kwargs=alices_day),
    "checkins:recovery": Row(OWN),
    "checkins:lapse_note": posted(
        OWN, target=ALICE, kwargs=alices_lapse, data={"note": "Met an old friend."}
    ),
    # A patient's own counters: the substance in the URL is theirs (every patient has one).
    "checkins:add_counter": Row(OWN, wrong_method="put"),
    "checkins:edit_counter": Row(OWN, kwargs=lambda world: KETAMINE, wrong_method="put"),
    "checkins:stop_counter": posted(OWN, kwargs=lambda world: KETAMINE),
    # Alice is not in detox: she is told where to check in instead (200).
    "checkins:withdrawal": Row(OWN, wrong_method="put"),
    # An expired form (no key) sends the patient back to the log with a message.
    "checkins:talk_to_staff": posted(OWN),
    # The app shell holds no patient data.
    "checkins:service_worker": Row(Access.PUBLIC),
    "checkins:manifest": Row(Access.PUBLIC),
    "api:create_checkin": created(OWN, data=CHECKIN_BODY),
    "api:list_checkins": Row(OWN, wrong_method="put"),
    "api:list_patient_checkins": Row(Capability.VIEW_PATIENT_RECORD, target=ALICE, kwargs=alice_id),
    # Alice is not in detox (409); Dana is.
    "api:create_withdrawal_entry": created(
        OWN,
        overrides={"patient": 409},
        data={"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c002", "craving": 2},
    ),
    "api:list_withdrawal_entries": Row(OWN, wrong_method="put"),
    "api:my_counters": Row(OWN),
}
