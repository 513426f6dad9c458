from __future__ import annotations

import datetime as dt
from typing import Any

from waymark.access import Capability
from waymark.appointments.tests.conftest import stored_appointment, stored_group, stored_session
from waymark.organizations.tests.matrix import Row, Target, World, alice_id, posted

READ = Capability.VIEW_PATIENT_RECORD
SCHEDULE, GROUPS, PATIENT = (
    Capability.SCHEDULE_APPOINTMENTS,
    Capability.RUN_GROUPS,
    Capability.USE_PATIENT_APP,
)
ALICE = Target.ALICE


def alices_appointment(world: World) -> dict[str, Any]:
    return {"appointment_id": stored_appointment(world.alice, world.user("clinician")).pk}


def alices_past_appointment(world: World) -> dict[str, Any]:
    return {
        "appointment_id": stored_appointment(
            world.alice, world.user("clinician"), hours_from_now=-2
        ).pk
    }


LATER = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def alices_group(world: World) -> dict[str, Any]:
    return {"group_id": stored_group(world.user("clinician"), world.alice).pk}


def alices_group_session(world: World) -> dict[str, Any]:
    return {"appointment_id": stored_session(stored_group(world.user("clinician"), world.alice)).pk}


ROWS: dict[str, Row] = {
    "appointments:mine": Row(PATIENT, wrong_method="put"),
    "appointments:ics": Row(PATIENT, target=ALICE, kwargs=alices_appointment),
    "appointments:patient_list": Row(READ, target=ALICE, kwargs=alice_id),
    "appointments:new": Row(SCHEDULE, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "appointments:detail": Row(READ, target=ALICE, kwargs=alices_appointment),
    "appointments:reschedule": posted(
        SCHEDULE,
        target=ALICE,
        kwargs=alices_appointment,
        data={"on": LATER, "at": "10:00", "reason": "Clinic closed"},
    ),
    "appointments:cancel": posted(
        SCHEDULE, target=ALICE, kwargs=alices_appointment, data={"reason": "Clinic closed"}
    ),
    "appointments:outcome": posted(
        SCHEDULE, target=ALICE, kwargs=alices_past_appointment, data={"outcome": "attended"}
    ),
    "appointments:attendance": Row(
        GROUPS, target=ALICE, kwargs=alices_group_session, wrong_method="put"
    ),
    "appointments:schedule": Row(SCHEDULE),
    "appointments:groups": Row(GROUPS),
    "appointments:group_new": Row(GROUPS, wrong_method="put"),
    "appointments:group": Row(GROUPS, target=ALICE, kwargs=alices_group),
    "appointments:session_new": Row(GROUPS, target=ALICE, kwargs=alices_group, wrong_method="put"),
    "appointments:group_members": Row(
        GROUPS, target=ALICE, kwargs=alices_group, wrong_method="put"
    ),
}
