from __future__ import annotations

import uuid
from typing import Any

from waymark.notifications.models import Kind, Notification
from waymark.organizations.tests.matrix import SIGNED_IN_ONLY, Row, World, everyone


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
    "notifications:inbox": Row(SIGNED_IN_ONLY),
    "notifications:open": Row(
        everyone(404, anonymous=302, clinician=302),
        method="post",
        kwargs=bobs_notification,
        wrong_method="get",
    ),
    "notifications:mark_all_read": Row(everyone(302), method="post", wrong_method="get"),
    "notifications:preferences": Row(SIGNED_IN_ONLY, wrong_method="put"),
}
