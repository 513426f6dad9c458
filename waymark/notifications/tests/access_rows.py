from __future__ import annotations

import uuid
from typing import Any

from waymark.access import Capability
from waymark.notifications.models import Kind, Notification
from waymark.organizations.tests.matrix import Row, Target, World

NOTIFICATIONS = Capability.USE_NOTIFICATIONS


def bobs_notification(world: World) -> dict[str, Any]:
    bob = world.users["clinician"]
    assert bob is not None
    notification = Notification.objects.create(
        organization=world.alice.organization,
        recipient=bob,
        kind=Kind.SYSTEM,
        title="Hello",
        url="/caseload/",
        dedupe_key=str(uuid.uuid4()),
    )
    return {"notification_id": notification.pk}


ROWS: dict[str, Row] = {
    "notifications:inbox": Row(NOTIFICATIONS),
    "notifications:open": Row(
        NOTIFICATIONS,
        target=Target.BOB,
        ok=302,
        method="post",
        kwargs=bobs_notification,
        wrong_method="get",
    ),
    "notifications:mark_all_read": Row(NOTIFICATIONS, ok=302, method="post", wrong_method="get"),
    "notifications:preferences": Row(NOTIFICATIONS, wrong_method="put"),
}
