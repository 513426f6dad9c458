from __future__ import annotations

import uuid
from typing import Any

from waymark.alerts.services import raise_alert
from waymark.organizations.tests.matrix import ALICE_RECORD, STAFF_ONLY, Row, World, everyone
from waymark.risk.rules import CRAVING_HIGH


def alices_alert(world: World, step: str = "") -> dict[str, Any]:
    flag = CRAVING_HIGH.flag("For the matrix.", evidence=("checkin", str(uuid.uuid4())))
    alert = raise_alert(world.alice, flag)
    assert alert is not None
    return {"alert_id": alert.pk, **({"step": step} if step else {})}


ROWS: dict[str, Row] = {
    "alerts:inbox": Row(STAFF_ONLY, wrong_method="put"),
    "alerts:detail": Row(ALICE_RECORD, kwargs=alices_alert),
    "alerts:act": Row(
        everyone(403, anonymous=302, clinician=302, org_admin=302, other_org_clinician=404),
        method="post",
        kwargs=lambda world: alices_alert(world, "acknowledge"),
        wrong_method="get",
    ),
}
