from __future__ import annotations

import uuid
from typing import Any

from waymark.access import Capability
from waymark.notifications.models import Kind, Notification
from waymark.organizations.tests.matrix import Row, Target, World, posted

NOTIFICATIONS = Capability.USE_NOTIFICATIONS


def bobs_notification(world: World) -> dict[str, Any]:
    notification = Notification.objects.create(
        organization=world.alice.organization,
        recipient=world.user("clinician"),
        kind=Kind.SYSTEM,
        title="Hello",
        url="/caseload/",
        dedupe_key=str(uuid.uuid4()),
    )
    return {"notification_id": notification.pk}


ROWS: dict[str, Row] = {
    "notifications:inbox": Row(NOTIFICATIONS),
    "notifications:open": posted(NOTIFICATIONS, target=Target.BOB, kwargs=bobs_notification),
    "notifications:mark_all_read": posted(NOTIFICATIONS),
    "notifications:preferences": Row(NOTIFICATIONS, wrong_method="put"),
}
