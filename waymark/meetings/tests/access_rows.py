from __future__ import annotations

import datetime as dt
from typing import Any

from waymark.access import Capability
from waymark.meetings.models import Fellowship, Meeting
from waymark.organizations.tests.matrix import Row, World, posted

PATIENT = Capability.USE_PATIENT_APP


def northstar_meeting(world: World) -> dict[str, Any]:
    """A meeting of Alice's organization (Dana's too: both may log it)."""
    meeting = Meeting.objects.create(
        organization=world.alice.organization,
        name="Tuesday NA",
        fellowship=Fellowship.NA,
        weekday=1,
        starts_at=dt.time(19, 30),
        place="Church hall",
    )
    return {"meeting_id": meeting.pk}


ROWS: dict[str, Row] = {
    "meetings:list": Row(PATIENT),
    "meetings:favourite": posted(PATIENT, kwargs=northstar_meeting),
    "meetings:attend": posted(PATIENT, kwargs=northstar_meeting),
}
